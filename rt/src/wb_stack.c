/*
 * wb_stack.c - the stack workbench (rt_wb_stack in rt.h): a running G
 * pushes frames through the real prologue (vm.c's CALL: newstack, which
 * grows the stack by copying under Gcopystack, and takes preemption
 * requests), pops them, and stores heap references in its slots, while
 * the GC actors of wb.c claim it and scan its stack in GCmark, shrinking
 * it when mostly unused (scanstack, shrinkstack), and while it scans
 * itself at its own preemption points (newstack's selfscan).
 *
 * The checkers that judge it: scan.unowned, scan.concurrent,
 * scan.stackchanged (a stack moved or written mid-scan), scan.running,
 * stack.size, status.*, and the end checks of wb.c.
 */
#include "wb.h"

/* Stack ops of a running G, chosen by arg & 3 (3: a status move). */
enum { S_CALL, S_RET, S_PUT };

/* rt__wb_stackop is in wb.h. */
bool rt__wb_stackop(rt_m *mp, rt_g *gp, uint32_t arg)
{
    uint32_t n = arg >> 2;

    switch (arg & 3) {
    case S_CALL:
        /* A frame of 1..64 slots (vm.c takes n % 64 + 1): deep enough
         * that a few calls outgrow the 32-slot first stack. */
        if (!rt__vmcall(gp, n * 9))
            rt__wb_yield(mp, gp); /* a preemption was taken */
        return true;
    case S_RET:
        rt__vmret(gp);
        return true;
    case S_PUT: {
        /* A new object's reference in slot n of the current frame: the
         * stack now holds a root that every scan must shade. The
         * allocation first: its preemption point may move the stack (a
         * self-scan shrinks it), so the slot's index is taken after. */
        rt_slot v = rt__alloc(gp, mp->p);
        rt__slotset(gp, gp->sp + n % gp->framen, v);
        return true;
    }
    default:
        return false;
    }
}

/* rt_wb_stack is in rt.h. */
int rt_wb_stack(const uint8_t *data, size_t size, const rt_wb_options *opt,
                rt_wb_result *res)
{
    return rt__wb_run(data, size, true, opt, res);
}
