/*
 * switch.h - the C declarations of the context switch that the sim
 * backend runs its fibers on (arch/<arch>/switch.S, one per
 * architecture). Users: os/os_sim.c, rt/bench/switch.c and the sim's
 * tests.
 */
#ifndef RT_ARCH_SWITCH_H
#define RT_ARCH_SWITCH_H

/*
 * rt__ctx_switch saves the calling context, stores its stack pointer in
 * *save_sp, and resumes the context whose stack pointer is new_sp. It
 * returns when some other context switches back to *save_sp. Only
 * callee-saved state (and the floating-point control words) is kept: for
 * the compiler it is an ordinary call.
 */
void rt__ctx_switch(void **save_sp, void *new_sp);

/*
 * rt__ctx_make lays out a fresh context at the top of a stack
 * (stack_top, aligned by the callee) and returns its stack pointer: the
 * first rt__ctx_switch to it calls fn(arg) on that stack. fn must never
 * return; it leaves by switching away for good.
 */
void *rt__ctx_make(void *stack_top, void (*fn)(void *), void *arg);

#endif /* RT_ARCH_SWITCH_H */
