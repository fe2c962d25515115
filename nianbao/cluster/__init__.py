"""nianbao on several machines: crawl and parse workers on Dramatiq + Redis, one archive writer.

- ``queue``: the Redis connection, the Dramatiq broker, the keys of the shared store;
- ``tasks``: the two kinds of work any ``nianbao worker`` takes: crawl a portal, parse a document;
- ``node``: what a crawl job does on its node (the unchanged single-machine crawl, then upload);
- ``writer``: the one process that writes the central SQLite archive, from the uploaded results;
- ``redis_server``: a real redis-server on loopback for ``nianbao cluster-demo`` and the tests;
- ``cli``: ``nianbao worker``, ``nianbao writer`` and ``nianbao cluster-demo``.

docs/operators.md ("Several machines") says why Dramatiq, and how the pieces are deployed.
"""
