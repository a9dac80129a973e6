/*
 * switch.S - the sim backend's context switch for x86-64 (System V ABI).
 *
 * A suspended context is a stack pointer. The stack it points at holds,
 * from low to high addresses:
 *
 *     sp+0   mxcsr (4 bytes), x87 control word (2 bytes), 2 bytes unused
 *     sp+8   r15
 *     sp+16  r14
 *     sp+24  r13
 *     sp+32  r12
 *     sp+40  rbx
 *     sp+48  rbp
 *     sp+56  return address
 *
 * Only callee-saved state is kept: everything else is dead across a call
 * by the ABI, and the switch is an ordinary call for the compiler. The
 * control words are callee-saved too (the ABI says a function that
 * changes them must restore them), so a fiber that changes its rounding
 * mode does not change the one of the fiber it switches to.
 *
 * C declarations, with the contract: arch/switch.h.
 */

#define FRAME 64 /* bytes of one saved context, as laid out above */

    .text

/*
 * rt__ctx_switch saves the calling context, stores its stack pointer in
 * *save_sp (rdi), and resumes the context whose stack pointer is new_sp
 * (rsi). It returns when some other context switches back to *save_sp.
 */
    .globl rt__ctx_switch
    .hidden rt__ctx_switch
    .type rt__ctx_switch, @function
    .p2align 4
rt__ctx_switch:
    .cfi_startproc
    pushq %rbp
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset %rbp, 0
    pushq %rbx
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset %rbx, 0
    pushq %r12
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset %r12, 0
    pushq %r13
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset %r13, 0
    pushq %r14
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset %r14, 0
    pushq %r15
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset %r15, 0
    subq $8, %rsp
    .cfi_adjust_cfa_offset 8
    stmxcsr (%rsp)
    fnstcw 4(%rsp)
    movl (%rsp), %eax
    movzwl 4(%rsp), %edx
    /* From here on the frame is the other context's, laid out the same
       way, so the CFI above stays true for it. */
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    /* Loading a control word is slow (it serializes part of the FPU) and
       the other context's words nearly always equal ours: load them only
       when they differ (out of line, at 1). */
    cmpl (%rsp), %eax
    jne 1f
    cmpw 4(%rsp), %dx
    jne 1f
    .cfi_remember_state
2:
    addq $8, %rsp
    .cfi_adjust_cfa_offset -8
    popq %r15
    .cfi_adjust_cfa_offset -8
    .cfi_restore %r15
    popq %r14
    .cfi_adjust_cfa_offset -8
    .cfi_restore %r14
    popq %r13
    .cfi_adjust_cfa_offset -8
    .cfi_restore %r13
    popq %r12
    .cfi_adjust_cfa_offset -8
    .cfi_restore %r12
    popq %rbx
    .cfi_adjust_cfa_offset -8
    .cfi_restore %rbx
    popq %rbp
    .cfi_adjust_cfa_offset -8
    .cfi_restore %rbp
    /* pop and jmp rather than ret: a switch never returns to the call
       that it pairs with in the return-stack predictor, so ret would be
       mispredicted every time (measured: about 14 ns against 8 ns per
       switch). */
    popq %rcx
    .cfi_adjust_cfa_offset -8
    .cfi_register %rip, %rcx
    jmp *%rcx
1:
    .cfi_restore_state
    ldmxcsr (%rsp)
    fldcw 4(%rsp)
    jmp 2b
    .cfi_endproc
    .size rt__ctx_switch, .-rt__ctx_switch

/*
 * rt__ctx_make lays out a fresh context at the top of a stack (rdi; the
 * caller passes an address 16-byte aligned, one past the highest usable
 * byte) so that the first rt__ctx_switch to the returned stack pointer
 * enters rt__ctx_trampoline, which calls fn(arg) (rsi, rdx). The new
 * context starts with the caller's mxcsr and x87 control word.
 *
 * The return address sits at top-8, so that once the switch has popped
 * it the stack pointer is the 16-byte aligned top, as the ABI wants
 * before the trampoline's call.
 */
    .globl rt__ctx_make
    .hidden rt__ctx_make
    .type rt__ctx_make, @function
    .p2align 4
rt__ctx_make:
    .cfi_startproc
    leaq -FRAME(%rdi), %rax
    leaq rt__ctx_trampoline(%rip), %rcx
    movq %rcx, 56(%rax)         /* return address */
    movq $0, 48(%rax)           /* rbp: ends frame-pointer backtraces */
    movq $0, 40(%rax)           /* rbx */
    movq %rsi, 32(%rax)         /* r12: fn */
    movq %rdx, 24(%rax)         /* r13: arg */
    movq $0, 16(%rax)           /* r14 */
    movq $0, 8(%rax)            /* r15 */
    movq $0, (%rax)
    stmxcsr (%rax)
    fnstcw 4(%rax)
    ret
    .cfi_endproc
    .size rt__ctx_make, .-rt__ctx_make

/*
 * rt__ctx_trampoline is the first code a new context runs: fn(arg) from
 * r12 and r13. fn must never return (a fiber ends by switching away for
 * good); if it does, ud2 traps at once instead of running off the stack.
 * The return address is undefined here, so unwinders and debuggers stop.
 */
    .type rt__ctx_trampoline, @function
    .p2align 4
rt__ctx_trampoline:
    .cfi_startproc
    .cfi_undefined %rip
    xorl %ebp, %ebp
    movq %r13, %rdi
    call *%r12
    ud2
    .cfi_endproc
    .size rt__ctx_trampoline, .-rt__ctx_trampoline

    .section .note.GNU-stack,"",@progbits
