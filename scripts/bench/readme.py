#!/usr/bin/env python3
"""Copy the figures of a bench run into the top README: every block
between <!-- bench:KEY --> and <!-- /bench:KEY --> in README.md is replaced
by the block of the same KEY in results.md. A block the run did not
produce is left as it was, and named on stderr.

    readme.py bench/results/results.md README.md
"""
import re
import sys

BLOCK = re.compile(r'<!-- bench:([\w-]+) -->\n(.*?)<!-- /bench:\1 -->', re.S)

results, readme = sys.argv[1], sys.argv[2]
fresh = {m.group(1): m.group(2) for m in BLOCK.finditer(open(results).read())}
text = open(readme).read()
kept = []


def swap(m):
    if m.group(1) not in fresh:
        kept.append(m.group(1))
        return m.group(0)
    return f'<!-- bench:{m.group(1)} -->\n{fresh[m.group(1)]}<!-- /bench:{m.group(1)} -->'


text, n = BLOCK.subn(swap, text)
with open(readme, 'w') as f:
    f.write(text)
print(f'bench: {n - len(kept)} blocks of {readme} refreshed from {results}'
      + (f"; not in this run, left as they were: {', '.join(kept)}" if kept else ''),
      file=sys.stderr)
