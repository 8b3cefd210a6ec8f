"""Provincial insurance interface adapter (envelope, transactions, signing): a later issue."""
