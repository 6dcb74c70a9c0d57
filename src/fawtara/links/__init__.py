"""The two systems' links called in one process, for tests, the demo's seed and
`fawtara simulate`: the switch calling the billing system's use cases where the
Biller API would be called over HTTP, and billing calling the switch's. The only
package besides a one-process composition root that imports both systems.
"""
