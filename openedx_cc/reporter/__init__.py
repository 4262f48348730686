"""
The reporter: the ``openedx-cc-report`` console script (docs/reference/cli.rst, "openedx-cc-report").

It reads what a CD pipeline deployed from git checkouts, builds the deployment report of
docs/reference/report-format.rst and sends it, signed, to an openedx-cc service. It runs where only the package is
installed (a CI runner, an image build): it uses the standard library and PyYAML, never Django nor the rest of
openedx_cc (import-linter's ``reporter-standalone`` contract keeps it so).

Modules, one concern each:

* ``git`` -- running git: resolving refs, ancestry, the first-parent log with its paths, the ``origin`` remote;
* ``pullrequests`` -- pure: which commit is a merged pull request and what the change says (title, author login);
  the ``--authors`` map;
* ``ranges`` -- what one repository deployed: its commits from one head to the next, as changes and direct pushes;
* ``report`` -- the report document: its fields, the derived ``id``;
* ``sending`` -- the signed HTTP requests, with retries;
* ``cli`` -- the command line (``main``).
"""
