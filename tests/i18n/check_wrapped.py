#!/usr/bin/env python3
"""Fails on a user-facing string literal of the command line that is not marked for translation.

Looks at the string literals in the arguments of the calls that print or hand back text
(printf, fprintf, puts, fputs, cli_usage, hearth_error_set, hearth_buf_printf): each one with a
word in it must sit inside _(), N_() or P_(). Format directives and the program's name do not
count as words. A literal that is machine output (or wrapped on another branch) is listed in
the allow-list file, one `FILE<TAB>LITERAL` a line, the literal as written in the source.
Prints TAP: one test per source file.
Usage: check_wrapped.py ALLOW_LIST FILE.c...
"""
import os
import re
import sys

CALLS = re.compile(r'\b(printf|fprintf|puts|fputs|cli_usage|hearth_error_set|hearth_buf_printf)\s*\(')
MARKS = re.compile(r'\b(N_|P_|_|strcmp|strncmp|getenv|cli_opt_value|cli_opt_flag)\s*\(')
LITERAL = re.compile(r'"(?:[^"\\\n]|\\.)*"')
# the first argument of these is not text: a stream, a command name
SKIP_FIRST = {'fprintf', 'fputs', 'cli_usage', 'hearth_error_set', 'hearth_buf_printf'}
DIRECTIVE = re.compile(r'%(\d+\$)?[-+ #0]*\d*(\.\d+|\.\*)?(hh|h|ll|l|z|j|t|L)?[diouxXfFeEgGcsp%]')


def strip_comments(src):
    out, i, n = [], 0, len(src)
    while i < n:
        if src.startswith('/*', i):
            j = src.find('*/', i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r'[^\n]', ' ', src[i:j]))
            i = j
        elif src.startswith('//', i):
            j = src.find('\n', i)
            j = n if j < 0 else j
            out.append(' ' * (j - i))
            i = j
        elif src[i] in '"\'':
            m = re.compile(src[i] + r'(?:[^' + src[i] + r'\\\n]|\\.)*' + src[i]).match(src, i)
            j = m.end() if m else i + 1
            out.append(src[i:j])
            i = j
        else:
            out.append(src[i])
            i += 1
    return ''.join(out)


def close_paren(src, open_at):
    """Index of the parenthesis closing the one at open_at, skipping string and char literals."""
    depth, i = 0, open_at
    while i < len(src):
        c = src[i]
        if c in '"\'':
            m = re.compile(c + r'(?:[^' + c + r'\\\n]|\\.)*' + c).match(src, i)
            i = m.end() if m else i + 1
            continue
        if c == '(':
            depth += 1
        elif c == ')':
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return len(src)


def blank(text, start, end):
    return text[:start] + re.sub(r'[^\n]', ' ', text[start:end]) + text[end:]


def first_comma(args):
    depth, i = 0, 0
    while i < len(args):
        c = args[i]
        if c in '"\'':
            m = re.compile(c + r'(?:[^' + c + r'\\\n]|\\.)*' + c).match(args, i)
            i = m.end() if m else i + 1
            continue
        if c in '([{':
            depth += 1
        elif c in ')]}':
            depth -= 1
        elif c == ',' and depth == 0:
            return i
        i += 1
    return len(args)


def has_words(literal):
    text = DIRECTIVE.sub(' ', literal[1:-1])
    text = re.sub(r'\\[ntr"\\]', ' ', text)
    text = re.sub(r'\bhearth\b', ' ', text)
    return re.search(r'[A-Za-z]{2,}', text) is not None


def unwrapped(path, allowed):
    src = strip_comments(open(path, encoding='utf-8').read())
    found = []
    for m in CALLS.finditer(src):
        open_at = m.end() - 1
        end = close_paren(src, open_at)
        args = src[open_at + 1:end]
        if m.group(1) in SKIP_FIRST:
            cut = first_comma(args) + 1
            args = ' ' * cut + args[cut:]
        for mark in list(MARKS.finditer(args)):
            mend = close_paren(args, mark.end() - 1)
            args = blank(args, mark.start(), mend + 1)
        for lit in LITERAL.finditer(args):
            if has_words(lit.group(0)) and lit.group(0) not in allowed:
                line = src.count('\n', 0, open_at + 1 + lit.start()) + 1
                found.append('%s:%d: %s' % (path, line, lit.group(0)))
    return found


def main():
    allow = {}
    with open(sys.argv[1], encoding='utf-8') as f:
        for raw in f:
            if raw.strip() and not raw.startswith('#'):
                name, _, literal = raw.rstrip('\n').partition('\t')
                allow.setdefault(name, set()).add(literal)
    files = sys.argv[2:]
    print('1..%d' % len(files))
    failed = 0
    for i, path in enumerate(files, 1):
        found = unwrapped(path, allow.get(os.path.basename(path), set()))
        print('%s %d - %s: every user-facing literal is marked for translation'
              % ('not ok' if found else 'ok', i, os.path.basename(path)))
        for line in found:
            print('# unwrapped: ' + line)
        failed += bool(found)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
