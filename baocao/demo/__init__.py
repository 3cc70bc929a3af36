"""Test scaffolding that ships with the product: stand-ins for the chat platforms' APIs on
127.0.0.1, the offline demo's simulation and the sandbox console. Nothing here is used by a
deployed bot; ``baocao demo``, ``baocao sandbox``, the tests and the benchmarks import it."""
