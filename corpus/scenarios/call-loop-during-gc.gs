# call-loop-during-gc.gs - goroutines in a loop that calls a small
# function (unrolled: a short SPIN, the loop's own work, then a CALL/RET
# pair whose prologue is a preemption point) while another goroutine runs
# collections: the shape of Go's TestPreemptionGC. Each collection must
# stop the loopers at a prologue within the quiesce bound; a looper whose
# prologue missed the request would hold quiesce (and the stop-the-world
# after it) until it blocks, yields or exits. The collector starts first,
# and three Ps let it run beside both loopers. The loopers hold an object
# across the loop, so every scan of their stacks has something to find.

threads 4
procs 3
gc conc
heap 256

prog looper frame 2
    NEW 0
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    SPIN 20
    CALL 0
    RET
    USE 0
end

prog collector frame 2
    NEW 0
    GC
    YIELD
    GC
    YIELD
    GC
    USE 0
end

start collector
start looper x2
