"""The store's partitions the floor itself keeps: reference data (policy, register) and pay.

May import: the store's API, rules, formats and the basics; never the CLI, screens, the app or Textual.
"""

REF = "ref"
PAY = "pay"  # pay-only data, its own file (group floor-pay): table base_pay, key staff id
