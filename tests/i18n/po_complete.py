#!/usr/bin/env python3
"""The zh_CN catalogue is complete: fails when a string of the sources has no translation.

1. every C file of the modules that marks strings (_(, N_(, P_() is listed in po/POTFILES;
2. xgettext over POTFILES (the keywords of po/meson.build) into a temporary template: every
   msgid in it has a zh_CN entry;
3. no entry of zh_CN.po is empty or fuzzy;
4. msgfmt --check accepts zh_CN.po (formats, plural forms, header).
Prints TAP. Usage: po_complete.py SOURCE_ROOT XGETTEXT MSGFMT [CATALOGUE]  (default SOURCE_ROOT/po/zh_CN.po)
msgids are compared in their escaped form on both sides.
"""
import os
import re
import subprocess
import sys
import tempfile

MODULES = ('cli', 'core', 'sync', 'site-gen', 'app')
KEYWORDS = ['--keyword=_', '--keyword=N_', '--keyword=P_:1,2', '--flag=N_:1:pass-c-format']
MARKED = re.compile(r'\b(N_|P_|_)\(')


def parse(path):
    """Entries of a .po/.pot: dicts with msgid, msgid_plural, msgstr (list), fuzzy."""
    entries, cur, key = [], None, None

    def flush():
        if cur is not None and 'msgid' in cur:
            entries.append(cur)

    with open(path, encoding='utf-8') as f:
        for line in f:
            line = line.rstrip('\n')
            if not line.strip():
                flush()
                cur, key = None, None
                continue
            if line.startswith('#~'):
                continue
            if cur is None:
                cur = {'msgstr': {}, 'fuzzy': False}
            if line.startswith('#,'):
                cur['fuzzy'] = 'fuzzy' in line
                continue
            if line.startswith('#'):
                continue
            m = re.match(r'(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+"(.*)"$', line)
            if m:
                if m.group(1).startswith('msgstr'):
                    key = ('msgstr', int(m.group(2) or 0))
                    cur['msgstr'][key[1]] = m.group(3)
                else:
                    key = m.group(1)
                    cur[key] = m.group(3)
                continue
            m = re.match(r'"(.*)"$', line)
            if m and key is not None:
                if isinstance(key, tuple):
                    cur['msgstr'][key[1]] += m.group(1)
                else:
                    cur[key] += m.group(1)
    flush()
    return entries


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, good, desc, diag=()):
        self.n += 1
        print('%s %d - %s' % ('ok' if good else 'not ok', self.n, desc))
        if not good:
            self.failed += 1
            for d in list(diag)[:40]:
                print('# ' + d)


def main():
    root, xgettext, msgfmt = sys.argv[1:4]
    po_path = sys.argv[4] if len(sys.argv) > 4 else os.path.join(root, 'po', 'zh_CN.po')
    with open(os.path.join(root, 'po', 'POTFILES'), encoding='utf-8') as f:
        listed = {l.strip() for l in f if l.strip() and not l.startswith('#')}
    t = Tap()

    marked = []
    for mod in MODULES:
        d = os.path.join(root, mod)
        for dirpath, _, names in os.walk(d):
            for name in sorted(names):
                if name.endswith('.c'):
                    rel = os.path.relpath(os.path.join(dirpath, name), root)
                    with open(os.path.join(root, rel), encoding='utf-8') as f:
                        if MARKED.search(f.read()):
                            marked.append(rel)
    unlisted = [p for p in marked if p not in listed]
    t.ok(not unlisted, 'every source file that marks strings is in po/POTFILES',
         ['not in POTFILES: ' + p for p in unlisted])

    with tempfile.TemporaryDirectory() as tmp:
        pot = os.path.join(tmp, 'hearth.pot')
        r = subprocess.run([xgettext, '--package-name=hearth', '--from-code=UTF-8', '-o', pot,
                            '--directory=' + root, '--files-from=' + os.path.join(root, 'po', 'POTFILES')]
                           + KEYWORDS, capture_output=True, text=True)
        t.ok(r.returncode == 0 and os.path.exists(pot), 'xgettext reads every listed source',
             r.stderr.splitlines())
        template = parse(pot) if os.path.exists(pot) else []

    catalogue = parse(po_path)
    have = {e['msgid'] for e in catalogue}
    missing = [e['msgid'] for e in template if e['msgid'] and e['msgid'] not in have]
    t.ok(template and not missing,
         'every string of the sources (%d) is in zh_CN.po' % len(template),
         ['no zh_CN entry: "%s"' % m for m in missing])

    empty = [e['msgid'] for e in catalogue
             if e['msgid'] and (not e['msgstr'] or any(v == '' for v in e['msgstr'].values()))]
    t.ok(not empty, 'no zh_CN translation is empty', ['empty: "%s"' % m for m in empty])
    fuzzy = [e['msgid'] for e in catalogue if e['msgid'] and e['fuzzy']]
    t.ok(not fuzzy, 'no zh_CN translation is fuzzy', ['fuzzy: "%s"' % m for m in fuzzy])

    r = subprocess.run([msgfmt, '--check', '-o', os.devnull, po_path], capture_output=True,
                       text=True)
    t.ok(r.returncode == 0, 'msgfmt --check accepts zh_CN.po', r.stderr.splitlines())

    print('1..%d' % t.n)
    return 1 if t.failed else 0


if __name__ == '__main__':
    sys.exit(main())
