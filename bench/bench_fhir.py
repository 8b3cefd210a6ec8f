"""FHIR Bundle → Visit throughput for ``make bench`` (the measurement lives in yibao_sdk.fhir)."""

from yibao_sdk.fhir.bench import bundle_throughput, main, run

__all__ = ["bundle_throughput", "run"]

if __name__ == "__main__":
    main()
