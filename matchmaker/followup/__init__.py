"""Follow-through of signed agreements (履约跟踪): after the ceremony, each agreement moves
签约 → 注册 (company registered) → 开工 (construction started) → 投产 (in production), with
funds in place (资金到位) paid in one or more payments, or stalls or ends. Staff of the
project's prefecture record it; organisers see everything. The rates reports state
(履约率, 开工率, 投产率, 资金到位率) are computed from these records.

This feature sits above signing: it reads agreements and never changes them.
"""
