#!/bin/bash
cd /app/stats
python3 - <<'P'
import re
src = open('stats.py').read()
src = src.replace("""    mid = len(ordered) // 2
    return ordered[mid]""", """    mid = len(ordered) // 2
    if len(ordered) % 2 == 0:
        return (ordered[mid - 1] + ordered[mid]) / 2
    return ordered[mid]""")
src = src.replace("    rank = int(p / 100 * len(ordered))", "    rank = math.ceil(p / 100 * len(ordered))")
src = '"""Small statistics helpers used by the reporting job."""\n\nimport math\n' + src.split('\n', 1)[1]
open('stats.py', 'w').write(src)
P
