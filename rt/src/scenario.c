/*
 * scenario.c - the text form of a scenario: the mnemonic table (the one
 * source of truth for op names, also used by traces), the defaults, a
 * parser and a formatter.
 *
 * The parser is fed fuzzer output and hand-written files alike, so it
 * never reads past len (the text need not be NUL-terminated), never
 * allocates, and reports the first problem as "line:col: what is wrong".
 * Columns count bytes from 1. It runs in two passes: the first only
 * collects the names of `prog` lines, so that GO and `start` may name a
 * program defined further down; the second parses everything. A program
 * index from the first pass is used only if the second pass succeeds, and
 * the second pass rejects every `prog` line the first pass might have
 * counted differently (nested, malformed, duplicate), so the two agree.
 *
 * The formatter names programs p0, p1, ... (rt_prog keeps no name) and
 * writes every field, so that parse(format(sc)) == sc for every scenario
 * the parser can produce.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "rt.h"

/* The mnemonic table, indexed by opcode. */
static const struct {
    const char *name;
    int nargs;
} optab[] = {
    [RT_OP_NOP] = {"NOP", 0},         [RT_OP_CALL] = {"CALL", 1},
    [RT_OP_RET] = {"RET", 0},         [RT_OP_NEW] = {"NEW", 1},
    [RT_OP_MOV] = {"MOV", 2},         [RT_OP_LOAD] = {"LOAD", 3},
    [RT_OP_STORE] = {"STORE", 3},     [RT_OP_USE] = {"USE", 1},
    [RT_OP_BLOCK] = {"BLOCK", 1},     [RT_OP_WAKE] = {"WAKE", 1},
    [RT_OP_SYSCALL] = {"SYSCALL", 1}, [RT_OP_YIELD] = {"YIELD", 0},
    [RT_OP_SPIN] = {"SPIN", 1},       [RT_OP_GO] = {"GO", 2},
    [RT_OP_GC] = {"GC", 0},           [RT_OP_EXIT] = {"EXIT", 0},
    [RT_OP_GSET] = {"GSET", 2},       [RT_OP_GGET] = {"GGET", 2},
};
_Static_assert(sizeof optab / sizeof optab[0] == RT_OP__COUNT,
               "every opcode needs a row in optab");

/* Ranges of the text form (rt.h gives the struct's limits). */
enum {
    MAX_OPERAND = 65535, /* operands are uint16_t */
    MIN_HEAP = 16,       /* fewer objects than this cannot run a program */
    MAX_HEAP = 1048576,  /* keeps a heap's mark bits and arena bounded */
    DEFAULT_FRAME = 4,   /* `prog NAME` without `frame N` */
    SHOW = 32,           /* bytes of a bad token quoted in an error */
};

/* rt_opname returns the mnemonic of op, or NULL past the last opcode. */
const char *rt_opname(unsigned op)
{
    return op < RT_OP__COUNT ? optab[op].name : NULL;
}

/* rt_opnargs returns how many operands op takes, or -1 for no opcode. */
int rt_opnargs(unsigned op)
{
    return op < RT_OP__COUNT ? optab[op].nargs : -1;
}

/* rt_scenario_default zeroes sc and sets the configuration defaults. */
void rt_scenario_default(rt_scenario *sc)
{
    memset(sc, 0, sizeof *sc);
    sc->nthreads = 4;
    sc->nprocs = 2;
    sc->gcmode = RT_GC_CONC;
    sc->heapcap = 4096;
}

/* A token: bytes [s, s + n) of the text, starting at column col. */
typedef struct tok {
    const char *s;
    size_t n;
    unsigned col;
} tok;

/* A line split lazily into tokens; content ends before any '#'. */
typedef struct line {
    const char *s; /* first byte of the line */
    size_t n;      /* bytes before the comment or the newline */
    size_t pos;    /* next byte to tokenize */
} line;

/* Parser state. names[] comes from the first pass (see the top). */
typedef struct parser {
    const char *text;
    size_t len;
    rt_scenario *sc;
    char *err;
    size_t errlen;
    unsigned lineno;
    struct {
        const char *s;
        size_t n;
        unsigned line;
    } names[RT_MAX_PROGS];
    unsigned nnames;
    unsigned set_threads, set_procs, set_gc, set_heap; /* line, 0: unset */
    int cur;           /* program being defined, -1 at top level */
    unsigned cur_line; /* its `prog` line */
} parser;

/* fail writes "line:col: msg" into the error buffer; returns RT_EINVAL. */
static int fail(parser *p, unsigned col, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(parser *p, unsigned col, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (p->err == NULL || p->errlen == 0)
        return RT_EINVAL;
    n = snprintf(p->err, p->errlen, "%u:%u: ", p->lineno, col);
    if (n >= 0 && (size_t)n < p->errlen) {
        va_start(ap, fmt);
        vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return RT_EINVAL;
}

/*
 * shown returns how many bytes of t to quote in a message: at most SHOW,
 * cut on a UTF-8 character boundary so the message stays valid UTF-8.
 */
static int shown(const tok *t)
{
    size_t n = t->n;

    if (n > SHOW) {
        n = SHOW;
        while (n > 0 && ((unsigned char)t->s[n] & 0xC0) == 0x80)
            n--;
    }
    return (int)n;
}

/* dots returns "..." when shown() cut t short. */
static const char *dots(const tok *t)
{
    return t->n > SHOW ? "..." : "";
}

/*
 * utf8 checks one line for NUL bytes and invalid UTF-8 (overlong forms,
 * surrogates, code points past U+10FFFF). Returns 0 or the bad column.
 */
static size_t utf8(const unsigned char *s, size_t n, int *nul)
{
    size_t i = 0, k, need;
    uint32_t cp, min;

    while (i < n) {
        unsigned char c = s[i];
        if (c == 0) {
            *nul = 1;
            return i + 1;
        }
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF)
            need = 1, cp = c & 0x1F, min = 0x80;
        else if (c >= 0xE0 && c <= 0xEF)
            need = 2, cp = c & 0x0F, min = 0x800;
        else if (c >= 0xF0 && c <= 0xF4)
            need = 3, cp = c & 0x07, min = 0x10000;
        else
            return i + 1;
        if (n - i <= need)
            return i + 1;
        for (k = 1; k <= need; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return i + 1;
            cp = cp << 6 | (s[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return i + 1;
        i += need + 1;
    }
    return 0;
}

/* isspc says whether c separates tokens ('\r' so CRLF files parse). */
static int isspc(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* next stores the next token of l in t; returns 0 at the end of l. */
static int next(line *l, tok *t)
{
    while (l->pos < l->n && isspc(l->s[l->pos]))
        l->pos++;
    if (l->pos == l->n)
        return 0;
    t->s = l->s + l->pos;
    t->col = (unsigned)l->pos + 1;
    while (l->pos < l->n && !isspc(l->s[l->pos]))
        l->pos++;
    t->n = (size_t)(l->s + l->pos - t->s);
    return 1;
}

/* endcol is the column just past l's content, for "missing" errors. */
static unsigned endcol(const line *l)
{
    size_t n = l->n;

    while (n > 0 && isspc(l->s[n - 1]))
        n--;
    return (unsigned)n + 1;
}

/* lower folds an ASCII letter to lower case. */
static char lower(char c)
{
    return (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
}

/* is says whether t is the word w, ignoring ASCII case. */
static int is(const tok *t, const char *w)
{
    size_t i;

    for (i = 0; i < t->n; i++)
        if (w[i] == 0 || lower(t->s[i]) != lower(w[i]))
            return 0;
    return w[i] == 0;
}

/* ident says whether t is a name: [A-Za-z_][A-Za-z0-9_]*. */
static int ident(const tok *t)
{
    size_t i;

    for (i = 0; i < t->n; i++) {
        char c = t->s[i];
        int alpha =
            (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
        if (!alpha && !(i > 0 && c >= '0' && c <= '9'))
            return 0;
    }
    return t->n > 0;
}

/*
 * digits reads the decimal number s[0..n) into *v, saturating past
 * 2^32 so a long run of digits cannot overflow. Returns 0 if s is empty
 * or holds anything but digits.
 */
static int digits(const char *s, size_t n, uint64_t *v)
{
    size_t i;

    *v = 0;
    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        if (*v < (1ull << 32))
            *v = *v * 10 + (uint64_t)(s[i] - '0');
    }
    return n > 0;
}

/* opcode returns the opcode named by t, ignoring case, or -1. */
static int opcode(const tok *t)
{
    int op;

    for (op = 0; op < RT_OP__COUNT; op++)
        if (is(t, optab[op].name))
            return op;
    return -1;
}

/* lookup returns the index of the program named t, or -1. */
static int lookup(const parser *p, const tok *t)
{
    unsigned i;

    for (i = 0; i < p->nnames; i++)
        if (p->names[i].n == t->n && memcmp(p->names[i].s, t->s, t->n) == 0)
            return (int)i;
    return -1;
}

/*
 * number reads the next token of l as a number in lo..hi. what names the
 * quantity for the range message ("threads must be 1..128 (limit)").
 */
static int number(parser *p, line *l, uint64_t lo, uint64_t hi,
                  const char *what, const char *limit, uint64_t *v)
{
    tok t;

    if (!next(l, &t))
        return fail(p, endcol(l), "expected a number");
    if (!digits(t.s, t.n, v))
        return fail(p, t.col, "expected a number");
    if (*v < lo || *v > hi)
        return fail(p, t.col, "%s must be %llu..%llu%s%s%s", what,
                    (unsigned long long)lo, (unsigned long long)hi,
                    limit ? " (" : "", limit ? limit : "", limit ? ")" : "");
    return RT_OK;
}

/* noextra fails if l has a token left; after says what came before. */
static int noextra(parser *p, line *l, const char *after)
{
    tok t;

    if (next(l, &t))
        return fail(p, t.col, "unexpected '%.*s%s' after %s", shown(&t), t.s,
                    dots(&t), after);
    return RT_OK;
}

/*
 * config parses `threads N`, `procs N`, `heap N` and `gc MODE`; kw is the
 * keyword token. Setting one twice is an error: a later line silently
 * winning would hide a mistake in a hand-written file.
 */
static int config(parser *p, line *l, const tok *kw)
{
    rt_scenario *sc = p->sc;
    unsigned *seen;
    uint64_t v;
    tok t;
    int rc;

    seen = is(kw, "threads") ? &p->set_threads
           : is(kw, "procs") ? &p->set_procs
           : is(kw, "heap")  ? &p->set_heap
                             : &p->set_gc;
    if (*seen)
        return fail(p, kw->col, "'%.*s' is already set at line %u", (int)kw->n,
                    kw->s, *seen);
    *seen = p->lineno;
    if (is(kw, "threads")) {
        rc = number(p, l, 1, RT_MAX_THREADS, "threads", "RT_MAX_THREADS", &v);
        sc->nthreads = (uint32_t)v;
    } else if (is(kw, "procs")) {
        rc = number(p, l, 1, RT_MAX_PROCS, "procs", "RT_MAX_PROCS", &v);
        sc->nprocs = (uint32_t)v;
    } else if (is(kw, "heap")) {
        rc = number(p, l, MIN_HEAP, MAX_HEAP, "heap", NULL, &v);
        sc->heapcap = (uint32_t)v;
    } else {
        if (!next(l, &t))
            return fail(p, endcol(l),
                        "expected a gc mode (stw, quiesce "
                        "or conc)");
        if (is(&t, "stw"))
            sc->gcmode = RT_GC_STW;
        else if (is(&t, "quiesce"))
            sc->gcmode = RT_GC_QUIESCE;
        else if (is(&t, "conc"))
            sc->gcmode = RT_GC_CONC;
        else
            return fail(p, t.col,
                        "unknown gc mode '%.*s%s' (stw, quiesce or conc)",
                        shown(&t), t.s, dots(&t));
        rc = RT_OK;
    }
    return rc != RT_OK ? rc : noextra(p, l, "the value");
}

/* prog parses `prog NAME [frame N]` and opens the program. */
static int prog(parser *p, line *l, const tok *kw)
{
    rt_scenario *sc = p->sc;
    uint64_t v = DEFAULT_FRAME;
    tok name, t;
    unsigned i;
    int rc;

    if (!next(l, &name))
        return fail(p, endcol(l), "expected a program name");
    if (!ident(&name))
        return fail(p, name.col, "expected a program name, not '%.*s%s'",
                    shown(&name), name.s, dots(&name));
    for (i = 0; i < sc->nprogs; i++)
        if (p->names[i].n == name.n &&
            memcmp(p->names[i].s, name.s, name.n) == 0)
            return fail(p, name.col,
                        "program '%.*s%s' is already defined "
                        "at line %u",
                        shown(&name), name.s, dots(&name), p->names[i].line);
    if (sc->nprogs == RT_MAX_PROGS)
        return fail(p, kw->col, "too many programs (RT_MAX_PROGS is %d)",
                    RT_MAX_PROGS);
    /* Pass 1 saw this line too: names[nprogs] is this very name. */
    if (p->nnames <= sc->nprogs || p->names[sc->nprogs].s != name.s)
        return fail(p, name.col, "internal error: program names disagree");
    p->names[sc->nprogs].line = p->lineno;
    if (next(l, &t)) {
        if (!is(&t, "frame"))
            return fail(p, t.col,
                        "expected 'frame' or the end of the line, "
                        "not '%.*s%s'",
                        shown(&t), t.s, dots(&t));
        rc = number(p, l, 1, RT_MAX_FRAME, "frame", "RT_MAX_FRAME", &v);
        if (rc != RT_OK)
            return rc;
        rc = noextra(p, l, "the frame size");
        if (rc != RT_OK)
            return rc;
    }
    p->cur = (int)sc->nprogs++;
    p->cur_line = p->lineno;
    sc->progs[p->cur].frame = (uint16_t)v;
    return RT_OK;
}

/* start parses `start NAME [xN]`. */
static int start(parser *p, line *l)
{
    rt_scenario *sc = p->sc;
    uint64_t n = 1;
    tok name, t;
    int idx;

    if (!next(l, &name))
        return fail(p, endcol(l), "expected a program name");
    if (!ident(&name))
        return fail(p, name.col, "expected a program name, not '%.*s%s'",
                    shown(&name), name.s, dots(&name));
    idx = lookup(p, &name);
    if (idx < 0)
        return fail(p, name.col, "program '%.*s%s' is not defined",
                    shown(&name), name.s, dots(&name));
    if (next(l, &t)) {
        if ((t.s[0] != 'x' && t.s[0] != 'X') || !digits(t.s + 1, t.n - 1, &n))
            return fail(p, t.col,
                        "expected a count 'xN' or the end of the "
                        "line, not '%.*s%s'",
                        shown(&t), t.s, dots(&t));
        if (n < 1 || n > RT_MAX_START)
            return fail(p, t.col, "count must be 1..%d (RT_MAX_START)",
                        RT_MAX_START);
        if (noextra(p, l, "the count") != RT_OK)
            return RT_EINVAL;
    }
    if (n > RT_MAX_START - sc->nstart)
        return fail(p, name.col,
                    "too many started goroutines (RT_MAX_START "
                    "is %d)",
                    RT_MAX_START);
    while (n-- > 0)
        sc->start[sc->nstart++] = (uint16_t)idx;
    return RT_OK;
}

/* instr parses one instruction line of the current program. */
static int instr(parser *p, line *l, const tok *mn, int op)
{
    rt_prog *pr = &p->sc->progs[p->cur];
    uint16_t v[3] = {0, 0, 0};
    int i, nargs = optab[op].nargs;
    uint64_t x;
    tok t;

    if (pr->nins == RT_MAX_INSTRS)
        return fail(p, mn->col,
                    "too many instructions in program '%.*s' "
                    "(RT_MAX_INSTRS is %d)",
                    (int)p->names[p->cur].n, p->names[p->cur].s, RT_MAX_INSTRS);
    for (i = 0; i < nargs; i++) {
        if (!next(l, &t))
            return fail(p, mn->col, "too few operands for %s (takes %d)",
                        optab[op].name, nargs);
        if (op == RT_OP_GO && i == 0 && ident(&t)) {
            int idx = lookup(p, &t);
            if (idx < 0)
                return fail(p, t.col, "program '%.*s%s' is not defined",
                            shown(&t), t.s, dots(&t));
            v[0] = (uint16_t)idx;
            continue;
        }
        if (!digits(t.s, t.n, &x))
            return fail(p, t.col, "expected a number");
        if (x > MAX_OPERAND)
            return fail(p, t.col, "number out of range (0..%d)", MAX_OPERAND);
        v[i] = (uint16_t)x;
    }
    if (next(l, &t))
        return fail(p, mn->col, "too many operands for %s (takes %d)",
                    optab[op].name, nargs);
    pr->ins[pr->nins++] = (rt_instr){(uint8_t)op, 0, v[0], v[1], v[2]};
    return RT_OK;
}

/* statement parses the tokens of one line after its first token kw. */
static int statement(parser *p, line *l, const tok *kw)
{
    int op = opcode(kw);

    if (p->cur >= 0) {
        if (is(kw, "end")) {
            p->cur = -1;
            return noextra(p, l, "'end'");
        }
        if (is(kw, "prog") || is(kw, "start") || is(kw, "threads") ||
            is(kw, "procs") || is(kw, "heap"))
            return fail(p, kw->col,
                        "'%.*s' inside program '%.*s' (missing "
                        "'end'?)",
                        (int)kw->n, kw->s, (int)p->names[p->cur].n,
                        p->names[p->cur].s);
        if (op < 0)
            return fail(p, kw->col, "unknown instruction '%.*s%s'", shown(kw),
                        kw->s, dots(kw));
        return instr(p, l, kw, op);
    }
    if (is(kw, "threads") || is(kw, "procs") || is(kw, "heap") || is(kw, "gc"))
        return config(p, l, kw);
    if (is(kw, "prog"))
        return prog(p, l, kw);
    if (is(kw, "start"))
        return start(p, l);
    if (is(kw, "end"))
        return fail(p, kw->col, "'end' without 'prog'");
    if (op >= 0)
        return fail(p, kw->col,
                    "instruction '%s' outside a program "
                    "(missing 'prog'?)",
                    optab[op].name);
    return fail(p, kw->col, "unknown keyword '%.*s%s'", shown(kw), kw->s,
                dots(kw));
}

/*
 * getline_ cuts the line starting at *pos out of the text into l (content
 * up to any '#'), advances *pos past its newline and counts it. Returns
 * the line's full length, comment included, for the UTF-8 check.
 */
static size_t getline_(parser *p, size_t *pos, line *l)
{
    const char *s = p->text + *pos;
    size_t rest = p->len - *pos, n;
    const char *nl = memchr(s, '\n', rest);
    const char *hash;

    n = nl ? (size_t)(nl - s) : rest;
    *pos += nl ? n + 1 : n;
    p->lineno++;
    hash = memchr(s, '#', n);
    l->s = s;
    l->n = hash ? (size_t)(hash - s) : n;
    l->pos = 0;
    return n;
}

/* names is the first pass: it records the NAME of each `prog NAME`. */
static void names(parser *p)
{
    size_t pos = 0;
    line l;
    tok kw, name;

    while (pos < p->len && p->nnames < RT_MAX_PROGS) {
        getline_(p, &pos, &l);
        if (next(&l, &kw) && is(&kw, "prog") && next(&l, &name) &&
            ident(&name)) {
            p->names[p->nnames].s = name.s;
            p->names[p->nnames].n = name.n;
            p->names[p->nnames].line = p->lineno;
            p->nnames++;
        }
    }
    p->lineno = 0;
}

/* rt_scenario_parse parses len bytes of text into *out (see rt.h). */
int rt_scenario_parse(const char *text, size_t len, rt_scenario *out, char *err,
                      size_t errlen)
{
    parser p;
    size_t pos = 0, n, bad;
    line l;
    tok kw;
    int rc, nul = 0;

    memset(&p, 0, sizeof p);
    p.text = text;
    p.len = text ? len : 0;
    p.sc = out;
    p.err = err;
    p.errlen = errlen;
    p.cur = -1;
    if (err && errlen)
        err[0] = 0;
    rt_scenario_default(out);
    names(&p);
    while (pos < p.len) {
        n = getline_(&p, &pos, &l);
        bad = utf8((const unsigned char *)l.s, n, &nul);
        if (bad)
            return fail(&p, (unsigned)bad, nul ? "NUL byte" : "invalid UTF-8");
        if (!next(&l, &kw))
            continue;
        rc = statement(&p, &l, &kw);
        if (rc != RT_OK)
            return rc;
    }
    if (p.cur >= 0) {
        p.lineno = p.cur_line;
        return fail(&p, 1, "prog '%.*s' without 'end' at end of file",
                    (int)p.names[p.cur].n, p.names[p.cur].s);
    }
    if (out->nstart == 0) {
        p.lineno = 1;
        return fail(&p, 1, "no 'start' line");
    }
    return RT_OK;
}

/* An output buffer that counts what did not fit, like snprintf. */
typedef struct out {
    char *buf;
    size_t cap, len;
} out;

/* put appends formatted text to o. */
static void put(out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void put(out *o, const char *fmt, ...)
{
    va_list ap;
    int n;
    char *dst = o->len < o->cap ? o->buf + o->len : NULL;

    va_start(ap, fmt);
    n = vsnprintf(dst, dst ? o->cap - o->len : 0, fmt, ap);
    va_end(ap);
    if (n > 0)
        o->len += (size_t)n;
}

/*
 * rt_scenario_format writes sc's text form into buf (always NUL-terminated
 * when buflen > 0) and returns the length it needed, without the NUL.
 * Zero configuration fields are written as their defaults; an opcode past
 * the last is written modulo, as the runtime reads it; operands beyond an
 * opcode's count are dropped. A GO program operand below nprogs is written
 * as the program's name.
 */
size_t rt_scenario_format(const rt_scenario *sc, char *buf, size_t buflen)
{
    static const char *const modes[] = {"stw", "quiesce", "conc"};
    out o = {buf, buflen, 0};
    uint32_t i, j, k, a;

    if (buflen > 0)
        buf[0] = 0;
    put(&o, "# gstorm scenario\n");
    put(&o, "threads %u\n", sc->nthreads ? sc->nthreads : 4);
    put(&o, "procs %u\n", sc->nprocs ? sc->nprocs : 2);
    if (sc->gcmode < 3)
        put(&o, "gc %s\n", modes[sc->gcmode]);
    else
        put(&o, "gc %u\n", sc->gcmode); /* refused on parse: no such mode */
    put(&o, "heap %u\n", sc->heapcap ? sc->heapcap : 4096);
    for (i = 0; i < sc->nprogs && i < RT_MAX_PROGS; i++) {
        const rt_prog *pr = &sc->progs[i];
        put(&o, "\nprog p%u frame %u\n", i, pr->frame);
        for (j = 0; j < pr->nins && j < RT_MAX_INSTRS; j++) {
            const rt_instr *in = &pr->ins[j];
            unsigned op = in->op % RT_OP__COUNT;
            const uint16_t v[3] = {in->a, in->b, in->c};
            put(&o, "    %s", optab[op].name);
            for (k = 0; k < (uint32_t)optab[op].nargs; k++) {
                a = v[k];
                if (op == RT_OP_GO && k == 0 && a < sc->nprogs)
                    put(&o, " p%u", a);
                else
                    put(&o, " %u", a);
            }
            put(&o, "\n");
        }
        put(&o, "end\n");
    }
    if (sc->nstart > 0)
        put(&o, "\n");
    for (i = 0; i < sc->nstart && i < RT_MAX_START; i = j) {
        for (j = i + 1; j < sc->nstart && j < RT_MAX_START; j++)
            if (sc->start[j] != sc->start[i])
                break;
        if (j - i == 1)
            put(&o, "start p%u\n", sc->start[i]);
        else
            put(&o, "start p%u x%u\n", sc->start[i], j - i);
    }
    return o.len;
}
