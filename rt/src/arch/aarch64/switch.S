/*
 * switch.S - the sim backend's context switch for AArch64 (AAPCS64).
 * Same contract as arch/x86_64/switch.S; C declarations in arch/switch.h.
 *
 * A suspended context is a stack pointer to FRAME bytes holding the
 * callee-saved registers, from low to high addresses:
 *
 *     sp+0    x19 x20     sp+48   x25 x26     sp+96   d8  d9
 *     sp+16   x21 x22     sp+64   x27 x28     sp+112  d10 d11
 *     sp+32   x23 x24     sp+80   x29 x30     sp+128  d12 d13
 *                                             sp+144  d14 d15
 *                                             sp+160  fpcr, 8 unused
 *
 * x30 (the link register) is the resume address. Only the low 64 bits of
 * v8-v15 are callee-saved (d8-d15), and FPCR (rounding mode) is kept per
 * context as MXCSR is on x86-64. Not built on x86-64 hosts: assemble it
 * with clang --target=aarch64-linux-gnu -c to check it.
 */

#define FRAME 176 /* bytes of one saved context (16-byte aligned) */

    .text

/* rt__ctx_switch saves the calling context, stores its stack pointer in
   *save_sp (x0) and resumes the context at new_sp (x1). */
    .globl rt__ctx_switch
    .hidden rt__ctx_switch
    .type rt__ctx_switch, %function
    .p2align 4
rt__ctx_switch:
    .cfi_startproc
    sub sp, sp, #FRAME
    .cfi_adjust_cfa_offset FRAME
    stp x19, x20, [sp, #0]
    stp x21, x22, [sp, #16]
    stp x23, x24, [sp, #32]
    stp x25, x26, [sp, #48]
    stp x27, x28, [sp, #64]
    stp x29, x30, [sp, #80]
    .cfi_rel_offset x29, 80
    .cfi_rel_offset x30, 88
    stp d8, d9, [sp, #96]
    stp d10, d11, [sp, #112]
    stp d12, d13, [sp, #128]
    stp d14, d15, [sp, #144]
    mrs x9, fpcr
    str x9, [sp, #160]
    /* From here on the frame is the other context's, laid out the same
       way, so the CFI above stays true for it. */
    mov x10, sp
    str x10, [x0]
    mov sp, x1
    /* Writing FPCR is slow on some cores; skip it when unchanged. */
    ldr x10, [sp, #160]
    cmp x9, x10
    b.eq 1f
    msr fpcr, x10
1:
    ldp x19, x20, [sp, #0]
    ldp x21, x22, [sp, #16]
    ldp x23, x24, [sp, #32]
    ldp x25, x26, [sp, #48]
    ldp x27, x28, [sp, #64]
    ldp x29, x30, [sp, #80]
    ldp d8, d9, [sp, #96]
    ldp d10, d11, [sp, #112]
    ldp d12, d13, [sp, #128]
    ldp d14, d15, [sp, #144]
    add sp, sp, #FRAME
    .cfi_adjust_cfa_offset -FRAME
    .cfi_restore x29
    .cfi_restore x30
    ret
    .cfi_endproc
    .size rt__ctx_switch, .-rt__ctx_switch

/* rt__ctx_make lays out a fresh context below stack_top (x0, 16-byte
   aligned) whose first resumption enters rt__ctx_trampoline, which calls
   fn(arg) (x1, x2) with the caller's FPCR. Returns the stack pointer. */
    .globl rt__ctx_make
    .hidden rt__ctx_make
    .type rt__ctx_make, %function
    .p2align 4
rt__ctx_make:
    .cfi_startproc
    sub x0, x0, #FRAME
    stp x1, x2, [x0, #0]          /* x19: fn, x20: arg */
    stp xzr, xzr, [x0, #16]
    stp xzr, xzr, [x0, #32]
    stp xzr, xzr, [x0, #48]
    stp xzr, xzr, [x0, #64]
    adr x9, rt__ctx_trampoline
    stp xzr, x9, [x0, #80]        /* x29: 0 ends backtraces; x30 */
    stp xzr, xzr, [x0, #96]
    stp xzr, xzr, [x0, #112]
    stp xzr, xzr, [x0, #128]
    stp xzr, xzr, [x0, #144]
    mrs x9, fpcr
    stp x9, xzr, [x0, #160]
    ret
    .cfi_endproc
    .size rt__ctx_make, .-rt__ctx_make

/* rt__ctx_trampoline calls fn(arg) from x19, x20. fn must never return;
   if it does, brk traps at once. */
    .type rt__ctx_trampoline, %function
    .p2align 4
rt__ctx_trampoline:
    .cfi_startproc
    .cfi_undefined x30
    mov x29, xzr
    mov x0, x20
    blr x19
    brk #0
    .cfi_endproc
    .size rt__ctx_trampoline, .-rt__ctx_trampoline

    .section .note.GNU-stack,"",%progbits
