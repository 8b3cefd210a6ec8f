"""Wire models of the national interface, one module per family, with the exact national names.

=================  ==================================================================
module             transactions
=================  ==================================================================
``signin``         9001 签到
``person``         1101 人员信息获取
``files``          13xx 目录下载, 1312 目录查询, 9101 文件上传, 9102 文件下载
``outpatient``     2201 挂号, 2202 挂号撤销, 2203/2203A 就诊信息上传
``fees``           2204/2301 费用明细上传, 2205/2302 撤销
``settlement``     2206/2207/2303/2304 (预)结算, 2208/2305 撤销, 2601 冲正, 5203 查询
``inpatient``      2401 入院, 2402 出院, 2403 变更, 2404/2405 撤销
``audit``          3101/3102 事前事中分析 (request)
``audit_result``   3101/3102 results, 3103 反馈
``reconcile``      3201/3202 对账
``setllist``       4101A 结算清单
=================  ==================================================================

``base`` holds the two bases (outbound forbids unknown members, inbound keeps them), the field
types and :func:`~.base.to_wire`; ``codes`` the national code tables.
"""
