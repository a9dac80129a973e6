/*
 * shrink.c - the minimizer's passes (harness.h, "minimizing and
 * triage"): scenario and schedule reductions checked by a caller's test,
 * and the top-frames parser triage keys findings with.
 *
 * Every pass builds a candidate in s->cand from the current best, asks
 * the test, and copies it back only when the test passes; a pass that
 * runs out of budget (s->cut) stops at once, leaving the best so far.
 * Candidates are tried in a fixed order, so the result depends only on
 * the input, the test's answers and max_tests (a deadline can cut a
 * search earlier on a slower machine: then it is not reproducible).
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

enum {
    BYTE_OFFSET_MASK = 31, /* a schedule byte: low 5 bits the offset */
    BYTE_SLICE_SHIFT = 5,  /* ... the high 3 its slice, 2^(b >> 5) */
    OPERAND_STEPS = 16,    /* lowering tries for one operand: enough to
                              walk 16 bits by halving */
    MAX_ROUNDS = 64,       /* rounds of all passes; each round that
                              continues has shrunk something */
    PAIRS_MAX = 24,        /* ops of a program gs_shrink_pairs takes on:
                              24 * 23 / 2 = 276 candidates at most */
    SPIN_MAX = 65535,      /* the largest SPIN operand (16 bits) */
};

/* scopy copies the used part of scenario src into dst, and zeroes the
 * programs dst had beyond it: what the passes remove is zero in both. */
static void scopy(rt_scenario *dst, const rt_scenario *src)
{
    uint32_t had = dst->nprogs;

    memcpy(dst, src,
           offsetof(rt_scenario, progs) + src->nprogs * sizeof(rt_prog));
    if (had > src->nprogs && had <= RT_MAX_PROGS)
        memset(&dst->progs[src->nprogs], 0,
               (had - src->nprogs) * sizeof(rt_prog));
}

/* try asks the test about (cand, sched), within the bounds of s. Returns
 * whether the candidate still fails; false, with s->cut set, once a bound
 * is reached. */
static bool try(gs_shrinker *s, const rt_scenario *cand, const uint8_t *sched,
                size_t nsched)
{
    if (s->cut || (s->max_tests && s->tests >= s->max_tests) ||
        (s->deadline > 0 && gs_now() >= s->deadline)) {
        s->cut = true;
        return false;
    }
    s->tests++;
    if (!s->test(cand, sched, nsched, s->arg))
        return false;
    if (s->preempts != NULL)
        s->last_preempts = s->preempts(s->arg);
    return true;
}

/* keep tries s->cand and, if it still fails, makes it the best (*sc).
 * Returns whether it did. */
static bool keep(gs_shrinker *s, rt_scenario *sc, uint8_t *sched,
                 size_t *nsched)
{
    size_t n = 0;

    if (!try(s, s->cand, sched, *nsched)) {
        /* The schedule may be what the change broke: ask for another
         * (one more candidate run) before giving the change up. */
        if (s->resched == NULL || s->alt == NULL || s->cut ||
            (s->max_tests && s->tests >= s->max_tests))
            return false;
        s->tests++;
        if (!s->resched(s->cand, s->alt, &n, s->sched_cap, s->arg) ||
            n > s->sched_cap)
            return false;
        memcpy(sched, s->alt, n);
        *nsched = n;
        /* resched's last run was the test of this schedule. */
        if (s->preempts != NULL)
            s->last_preempts = s->preempts(s->arg);
    }
    /* Fewer ops come before fewer preemptions: kept even with more,
     * up to the bound. */
    if (s->preempts != NULL && s->cap_preempts &&
        s->last_preempts > s->max_preempts)
        return false;
    s->best_preempts = s->last_preempts;
    scopy(sc, s->cand);
    return true;
}

/* gs_size_of measures a reproducer (harness.h). */
void gs_size_of(const rt_scenario *sc, const uint8_t *sched, size_t nsched,
                gs_size *z)
{
    uint32_t p, i;
    size_t k;

    memset(z, 0, sizeof *z);
    z->gs = sc->nstart;
    for (p = 0; p < sc->nprogs; p++) {
        for (i = 0; i < sc->progs[p].nins; i++) {
            unsigned op = sc->progs[p].ins[i].op % RT_OP__COUNT;
            z->ops += op != RT_OP_NOP;
            z->gs += op == RT_OP_GO;
        }
    }
    z->sched = nsched;
    for (k = 0; k < nsched; k++)
        z->switches += (sched[k] & BYTE_OFFSET_MASK) != 0;
}

/* gs_shrink_starts drops started goroutines (harness.h). */
bool gs_shrink_starts(gs_shrinker *s, rt_scenario *sc, uint8_t *sched,
                      size_t *nsched)
{
    bool progress = false;
    uint32_t i;

    for (i = sc->nstart; i-- > 0 && sc->nstart > 1 && !s->cut;) {
        scopy(s->cand, sc);
        memmove(&s->cand->start[i], &s->cand->start[i + 1],
                (s->cand->nstart - i - 1) * sizeof s->cand->start[0]);
        s->cand->nstart--;
        s->cand->start[s->cand->nstart] = 0;
        progress |= keep(s, sc, sched, nsched);
    }
    return progress;
}

/* delins removes instructions [i, i + n) of program p of s->cand. */
static void delins(rt_scenario *c, uint32_t p, uint32_t i, uint32_t n)
{
    rt_prog *pr = &c->progs[p];

    memmove(&pr->ins[i], &pr->ins[i + n],
            (pr->nins - i - n) * sizeof pr->ins[0]);
    pr->nins = (uint16_t)(pr->nins - n);
    /* Unused entries are zero, so that the scenario stays canonical
     * (gs_input_file compares it whole with its parsed text form). */
    memset(&pr->ins[pr->nins], 0, n * sizeof pr->ins[0]);
}

/*
 * eachins tries one edit on each instruction of sc, from the last: with
 * delgo, deleting a GO (fewer goroutines); else, turning an op into a
 * NOP (no operands: canonical). Returns whether it kept one.
 */
static bool eachins(gs_shrinker *s, rt_scenario *sc, uint8_t *sched,
                    size_t *nsched, bool delgo)
{
    static const rt_instr nop = {RT_OP_NOP, 0, 0, 0, 0};
    bool progress = false;
    uint32_t p, i;

    for (p = 0; p < sc->nprogs && !s->cut; p++) {
        for (i = sc->progs[p].nins; i-- > 0 && !s->cut;) {
            unsigned op = sc->progs[p].ins[i].op % RT_OP__COUNT;
            if (delgo ? op != RT_OP_GO : op == RT_OP_NOP)
                continue;
            scopy(s->cand, sc);
            if (delgo)
                delins(s->cand, p, i, 1);
            else
                s->cand->progs[p].ins[i] = nop;
            progress |= keep(s, sc, sched, nsched);
        }
    }
    return progress;
}

/* gs_shrink_gos deletes GO instructions (harness.h). */
bool gs_shrink_gos(gs_shrinker *s, rt_scenario *sc, uint8_t *sched,
                   size_t *nsched)
{
    return eachins(s, sc, sched, nsched, true);
}

/* gs_shrink_ins deletes instructions in halving chunks (harness.h). */
bool gs_shrink_ins(gs_shrinker *s, rt_scenario *sc, uint8_t *sched,
                   size_t *nsched)
{
    bool progress = false;
    uint32_t p, i, chunk, n;

    for (p = 0; p < sc->nprogs && !s->cut; p++) {
        for (chunk = (sc->progs[p].nins + 1u) / 2; chunk >= 1 && !s->cut;
             chunk /= 2) {
            for (i = 0; i < sc->progs[p].nins && !s->cut;) {
                n = sc->progs[p].nins - i < chunk ? sc->progs[p].nins - i
                                                  : chunk;
                scopy(s->cand, sc);
                delins(s->cand, p, i, n);
                if (keep(s, sc, sched, nsched))
                    progress = true; /* the next chunk is now at i */
                else
                    i += n;
            }
        }
    }
    return progress;
}

/* gs_shrink_nops replaces single instructions by NOP (harness.h). */
bool gs_shrink_nops(gs_shrinker *s, rt_scenario *sc, uint8_t *sched,
                    size_t *nsched)
{
    return eachins(s, sc, sched, nsched, false);
}

/* referenced says whether program q of sc is started or spawned by a GO
 * in another program. */
static bool referenced(const rt_scenario *sc, uint32_t q)
{
    uint32_t p, i;

    for (i = 0; i < sc->nstart; i++)
        if (sc->start[i] % sc->nprogs == q)
            return true;
    for (p = 0; p < sc->nprogs; p++) {
        if (p == q)
            continue;
        for (i = 0; i < sc->progs[p].nins; i++) {
            const rt_instr *in = &sc->progs[p].ins[i];
            if (in->op % RT_OP__COUNT == RT_OP_GO && in->a % sc->nprogs == q)
                return true;
        }
    }
    return false;
}

/* removeprog removes program q from c, renumbering what follows it in
 * the starts and GO operands (read modulo nprogs, as the runtime does,
 * and written back below the new nprogs). A GO to q itself (only q's
 * own, since nothing else references it) goes with q. */
static void removeprog(rt_scenario *c, uint32_t q)
{
    uint32_t p, i, n = c->nprogs;

    for (i = 0; i < c->nstart; i++) {
        uint32_t v = c->start[i] % n;
        c->start[i] = (uint16_t)(v > q ? v - 1 : v);
    }
    memmove(&c->progs[q], &c->progs[q + 1], (n - q - 1) * sizeof c->progs[0]);
    c->nprogs = n - 1;
    memset(&c->progs[n - 1], 0, sizeof c->progs[0]);
    for (p = 0; p < c->nprogs; p++) {
        for (i = 0; i < c->progs[p].nins; i++) {
            rt_instr *in = &c->progs[p].ins[i];
            uint32_t v = in->a % n;
            if (in->op % RT_OP__COUNT == RT_OP_GO)
                in->a = (uint16_t)(v > q ? v - 1 : v);
        }
    }
}

/* gs_shrink_progs removes programs nothing starts (harness.h). */
bool gs_shrink_progs(gs_shrinker *s, rt_scenario *sc, uint8_t *sched,
                     size_t *nsched)
{
    bool progress = false;
    uint32_t q;

    for (q = sc->nprogs; q-- > 0 && sc->nprogs > 1 && !s->cut;) {
        if (referenced(sc, q))
            continue;
        scopy(s->cand, sc);
        removeprog(s->cand, q);
        progress |= keep(s, sc, sched, nsched);
    }
    return progress;
}

/* gs_shrink_operands lowers CALL, SPIN and SYSCALL operands (harness.h):
 * for each, the smallest of 0, half, one less that still fails, again
 * until none does. */
bool gs_shrink_operands(gs_shrinker *s, rt_scenario *sc, uint8_t *sched,
                        size_t *nsched)
{
    bool progress = false;
    uint32_t p, i, step, k;

    for (p = 0; p < sc->nprogs && !s->cut; p++) {
        for (i = 0; i < sc->progs[p].nins && !s->cut; i++) {
            unsigned op = sc->progs[p].ins[i].op % RT_OP__COUNT;
            if (op != RT_OP_CALL && op != RT_OP_SPIN && op != RT_OP_SYSCALL)
                continue;
            for (step = 0; step < OPERAND_STEPS && !s->cut; step++) {
                uint16_t v = sc->progs[p].ins[i].a;
                const uint16_t to[3] = {0, (uint16_t)(v / 2),
                                        (uint16_t)(v - 1)};
                bool kept = false;
                if (v == 0)
                    break;
                for (k = 0; k < 3 && !kept && !s->cut; k++) {
                    if (k > 0 && to[k] == to[k - 1])
                        continue;
                    scopy(s->cand, sc);
                    s->cand->progs[p].ins[i].a = to[k];
                    kept = keep(s, sc, sched, nsched);
                }
                if (!kept)
                    break;
                progress = true;
            }
        }
    }
    return progress;
}

/* gs_shrink_truncate cuts each program to its shortest failing length
 * (harness.h): the halving chunks of gs_shrink_ins cut a program's tail
 * only at their own boundaries. */
bool gs_shrink_truncate(gs_shrinker *s, rt_scenario *sc, uint8_t *sched,
                        size_t *nsched)
{
    bool progress = false;
    uint32_t p, k;

    for (p = 0; p < sc->nprogs && !s->cut; p++) {
        for (k = 0; k + 1 < sc->progs[p].nins && !s->cut; k++) {
            scopy(s->cand, sc);
            delins(s->cand, p, k, sc->progs[p].nins - k);
            if (keep(s, sc, sched, nsched)) {
                progress = true;
                break;
            }
        }
    }
    return progress;
}

/* spinsum sums the SPIN operands of instructions [i, i + n) of program p
 * of sc, up to SPIN_MAX, into *sum; returns how many ops (not NOP) the
 * range holds. */
static uint32_t spinsum(const rt_scenario *sc, uint32_t p, uint32_t i,
                        uint32_t n, uint32_t *sum)
{
    uint32_t k, ops = 0;

    *sum = 0;
    for (k = i; k < i + n; k++) {
        const rt_instr *in = &sc->progs[p].ins[k];
        unsigned op = in->op % RT_OP__COUNT;
        ops += op != RT_OP_NOP;
        if (op == RT_OP_SPIN)
            *sum += in->a;
    }
    if (*sum > SPIN_MAX)
        *sum = SPIN_MAX;
    return ops;
}

/*
 * gs_shrink_fold replaces ranges of instructions by one SPIN as long as
 * their SPINs together (harness.h): a finding that needs a G to run a
 * while without a preemption point (a liveness bound) needs the time,
 * not the ops that spend it. Ranges in halving chunks, as
 * gs_shrink_ins but overlapping by half; only a range of two ops or
 * more with a SPIN in it.
 */
bool gs_shrink_fold(gs_shrinker *s, rt_scenario *sc, uint8_t *sched,
                    size_t *nsched)
{
    bool progress = false;
    uint32_t p, i, chunk, n, sum;

    for (p = 0; p < sc->nprogs && !s->cut; p++) {
        for (chunk = (sc->progs[p].nins + 1u) / 2; chunk >= 2 && !s->cut;
             chunk /= 2) {
            for (i = 0; i < sc->progs[p].nins && !s->cut;) {
                n = sc->progs[p].nins - i < chunk ? sc->progs[p].nins - i
                                                  : chunk;
                if (n < 2 || spinsum(sc, p, i, n, &sum) < 2 || sum == 0) {
                    i += n > 1 ? n / 2 : 1;
                    continue;
                }
                scopy(s->cand, sc);
                s->cand->progs[p].ins[i] =
                    (rt_instr){.op = RT_OP_SPIN, .a = (uint16_t)sum};
                delins(s->cand, p, i + 1, n - 1);
                if (keep(s, sc, sched, nsched)) {
                    /* The new SPIN may fold on with what follows it:
                     * i stays; the program is shorter, so this ends. */
                    progress = true;
                } else {
                    i += n / 2; /* half-overlapping ranges: two adjacent
                                   SPINs fold whatever their alignment */
                }
            }
        }
    }
    return progress;
}

/*
 * gs_shrink_pairs deletes two instructions of one program at once
 * (harness.h): a LOCK without its UNLOCK, a CALL without its RET, or a
 * NEW without the STORE of it may each stop the finding where the pair
 * would not. Quadratic, so only in programs of at most PAIRS_MAX ops.
 */
bool gs_shrink_pairs(gs_shrinker *s, rt_scenario *sc, uint8_t *sched,
                     size_t *nsched)
{
    bool progress = false, again = true;
    uint32_t p, i, j;

    for (p = 0; p < sc->nprogs && !s->cut; p++) {
        /* Each kept pair shortens the program: at most nins / 2 restarts. */
        for (again = true; again && !s->cut;) {
            again = false;
            if (sc->progs[p].nins > PAIRS_MAX)
                break;
            for (i = sc->progs[p].nins; i-- > 1 && !again && !s->cut;) {
                for (j = i; j-- > 0 && !again && !s->cut;) {
                    scopy(s->cand, sc);
                    delins(s->cand, p, i, 1);
                    delins(s->cand, p, j, 1);
                    again = keep(s, sc, sched, nsched);
                }
            }
            progress |= again;
        }
    }
    return progress;
}

/* trysched tries sc with candidate schedule c[0..n) and, if it still
 * fails with no more preemptions than the best (fewer: strictly fewer;
 * without s->preempts, any), copies it over sched and *nsched. Returns
 * whether it did. */
static bool trysched(gs_shrinker *s, const rt_scenario *sc, uint8_t *sched,
                     size_t *nsched, const uint8_t *c, size_t n, bool fewer)
{
    if (!try(s, sc, c, n))
        return false;
    if (s->preempts != NULL) {
        if (fewer ? s->last_preempts >= s->best_preempts
                  : s->last_preempts > s->best_preempts)
            return false;
        s->best_preempts = s->last_preempts;
    }
    memmove(sched, c, n);
    *nsched = n;
    return true;
}

/* gs_shrink_prefix cuts the schedule to its shortest failing prefix
 * (harness.h). */
bool gs_shrink_prefix(gs_shrinker *s, const rt_scenario *sc, uint8_t *sched,
                      size_t *nsched)
{
    size_t lo = 0, hi = *nsched, mid;
    bool progress = false;

    /* By bisection: a failure usually needs its decisions up to some
     * point and none after it (the rest is round-robin). */
    while (lo < hi && !s->cut) {
        mid = lo + (hi - lo) / 2;
        if (trysched(s, sc, sched, nsched, sched, mid, false)) {
            hi = mid;
            progress = true;
        } else {
            lo = mid + 1;
        }
    }
    return progress;
}

/*
 * gs_shrink_preempts removes preemptions (harness.h), the step between
 * fewer ops and fewer switches: each byte that switches (from the last)
 * is made to keep the running fiber for the same slice, or else dropped,
 * and the change is kept only if the run still fails with fewer
 * preemptions. A switch where the running fiber blocked is no
 * preemption, so it never qualifies; gs_shrink_sched lowers it.
 */
bool gs_shrink_preempts(gs_shrinker *s, const rt_scenario *sc, uint8_t *sched,
                        size_t *nsched)
{
    bool progress = false;
    uint8_t *c;
    size_t i;

    if (s->preempts == NULL || *nsched == 0 || (c = malloc(*nsched)) == NULL)
        return false;
    for (i = *nsched; i-- > 0 && s->best_preempts > 0 && !s->cut;) {
        uint8_t b = sched[i];
        if ((b & BYTE_OFFSET_MASK) == 0)
            continue;
        memcpy(c, sched, *nsched);
        c[i] = (uint8_t)(b & ~BYTE_OFFSET_MASK);
        if (trysched(s, sc, sched, nsched, c, *nsched, true)) {
            progress = true;
            continue;
        }
        memcpy(c, sched, i);
        memcpy(c + i, sched + i + 1, *nsched - i - 1);
        progress |= trysched(s, sc, sched, nsched, c, *nsched - 1, true);
    }
    free(c);
    return progress;
}

/* gs_shrink_sched cuts and lowers the schedule (harness.h). */
bool gs_shrink_sched(gs_shrinker *s, const rt_scenario *sc, uint8_t *sched,
                     size_t *nsched)
{
    size_t i, chunk, n;
    bool progress;
    uint8_t *c;

    progress = gs_shrink_prefix(s, sc, sched, nsched);
    if (*nsched == 0)
        return progress;
    c = malloc(*nsched);
    if (c == NULL)
        return progress;
    /* Chunks dropped, halving (ddmin's complement step). */
    for (chunk = *nsched / 2; chunk >= 1 && !s->cut; chunk /= 2) {
        for (i = 0; i < *nsched && !s->cut;) {
            n = *nsched - i < chunk ? *nsched - i : chunk;
            memcpy(c, sched, i);
            memcpy(c + i, sched + i + n, *nsched - i - n);
            if (trysched(s, sc, sched, nsched, c, *nsched - n, false))
                progress = true;
            else
                i += n;
        }
    }
    /* Each byte lowered: 0 (keep running, one point), then the same
     * switch for one yield point, then no switch for the same slice. */
    for (i = 0; i < *nsched && !s->cut; i++) {
        uint8_t b = sched[i];
        const uint8_t to[3] = {0, (uint8_t)(b & BYTE_OFFSET_MASK),
                               (uint8_t)(b & ~BYTE_OFFSET_MASK)};
        size_t k;
        if (b == 0)
            continue;
        for (k = 0; k < 3 && !s->cut; k++) {
            if (to[k] == b || (k > 0 && to[k] == to[k - 1]))
                continue;
            memcpy(c, sched, *nsched);
            c[i] = to[k];
            if (trysched(s, sc, sched, nsched, c, *nsched, false)) {
                progress = true;
                break;
            }
        }
    }
    free(c);
    return progress;
}

/* gs_shrink runs the passes to a fixpoint (harness.h). */
int gs_shrink(gs_shrinker *s, rt_scenario *sc, uint8_t *sched, size_t *nsched)
{
    bool progress = true;
    int round;

    s->cand = malloc(sizeof *s->cand);
    if (s->cand == NULL)
        return RT_ENOMEM;
    if (s->sched_cap < *nsched)
        s->sched_cap = *nsched;
    s->alt = s->resched != NULL ? malloc(s->sched_cap + 1) : NULL;
    if (s->resched != NULL && s->alt == NULL) {
        free(s->cand);
        return RT_ENOMEM;
    }
    memset(s->cand, 0, sizeof *s->cand);
    /* The input's preemptions: the bar the schedule passes keep under. */
    s->best_preempts = UINT64_MAX;
    if (s->preempts != NULL && try(s, sc, sched, *nsched))
        s->best_preempts = s->last_preempts;
    for (round = 0; round < MAX_ROUNDS && progress && !s->cut; round++) {
        /* A shorter schedule first, cheaply: candidates run faster, and
         * the round-robin tail bears program changes better than
         * recorded decisions do. Then fewer goroutines and ops, then
         * fewer preemptions, then the schedule in full. */
        progress = gs_shrink_prefix(s, sc, sched, nsched);
        progress |= gs_shrink_starts(s, sc, sched, nsched);
        progress |= gs_shrink_gos(s, sc, sched, nsched);
        progress |= gs_shrink_fold(s, sc, sched, nsched);
        progress |= gs_shrink_ins(s, sc, sched, nsched);
        progress |= gs_shrink_truncate(s, sc, sched, nsched);
        progress |= gs_shrink_progs(s, sc, sched, nsched);
        progress |= gs_shrink_pairs(s, sc, sched, nsched);
        progress |= gs_shrink_nops(s, sc, sched, nsched);
        progress |= gs_shrink_operands(s, sc, sched, nsched);
        progress |= gs_shrink_preempts(s, sc, sched, nsched);
        progress |= gs_shrink_sched(s, sc, sched, nsched);
    }
    free(s->cand);
    free(s->alt);
    s->cand = NULL;
    s->alt = NULL;
    return RT_OK;
}

/* gs_top_frames finds a report's top three frames (harness.h). */
int gs_top_frames(const char *text, char *buf, size_t cap)
{
    const char *p = text;
    size_t n = 0;
    int found = 0;

    if (cap > 0)
        buf[0] = 0;
    while (p != NULL && *p != 0 && found < 3) {
        const char *line = p, *end = strchr(p, '\n'), *in, *f;
        size_t len;
        p = end ? end + 1 : NULL;
        while (*line == ' ' || *line == '\t')
            line++;
        if (line[0] != '#' || line[1] < '0' || line[1] > '9')
            continue;
        in = strstr(line, " in ");
        if (in == NULL || (end != NULL && in > end))
            continue;
        f = in + 4;
        for (len = 0;
             f[len] != 0 && f[len] != ' ' && f[len] != '\n' && f[len] != '(';
             len++)
            ;
        if (len == 0)
            continue;
        if (n + len + 2 > cap)
            break;
        if (found > 0)
            buf[n++] = ';';
        memcpy(buf + n, f, len);
        n += len;
        buf[n] = 0;
        found++;
    }
    return found;
}
