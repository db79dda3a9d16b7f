"""Commands beyond review, one module each (pr-agent style), thin over the core:

- :mod:`agent.commands.migrate`: ``vep-review migrate``, VEP-282 front matter for legacy VEPs;
- :mod:`agent.commands.status`: ``vep-review status``, one row per VEP, per release;
- :mod:`agent.commands.new`: ``vep-review new``, a VEP from the template.

:mod:`agent.commands.infer` reads what the repository says about a VEP's front matter fields
for the first two.
"""
