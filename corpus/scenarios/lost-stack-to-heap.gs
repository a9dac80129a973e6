# lost-stack-to-heap.gs - a lost-object shape of a concurrent collector:
# a pointer moves from a stack not yet scanned into a heap object that is
# already black, and the stack drops it before its scan.
#
# A producer hands an item to a consumer through a shared box. The box is
# published in global 0 before the cycle, so the collector greys it when
# mark starts and blackens it at its first drain (right after quiesce has
# visited main). The item is allocated before the cycle (white) and given
# to producer through GO's slot argument: producer's stack is its only
# root. producer stores it into the box (STORE: stack -> heap) and drops
# its slot; consumer, parked early (scanned with nothing on its stack),
# loads it back. If producer's stack is scanned after the drop, nothing
# ever greys the item: the box is black and will not be scanned again.
#
# What saves it is the insertion half of the hybrid barrier: the STORE
# shades the new pointee. With the barrier off (fault wb.off)
# gccheckmark finds the item unmarked (gc.checkmark), or a later USE
# finds it swept (gc.use_after_free). Every BLOCK has its WAKE:
#   sema 1: producer -> consumer   sema 3: main -> both, after the cycle
#   sema 2: consumer -> main
# Slot 3 is never written (the nil that MOV copies). Clean under stw and
# quiesce too.

threads 4
procs 2
gc conc
heap 256

prog main frame 4
    NEW 0               # the shared box
    GSET 0 0            # published: a root from the start of every cycle
    GO consumer 3
    NEW 1               # an item, allocated before the cycle
    GO producer 1       # only producer's stack holds it
    MOV 1 3
    GC                  # producer and consumer run while stacks are scanned
    WAKE 3              # let both finish
    WAKE 3
    BLOCK 2             # consumer is done
    GC
end

prog producer frame 4
    YIELD               # let the cycle start and the box turn black
    YIELD
    GGET 2 0            # the box
    STORE 2 0 0         # box.f0 = item: stack -> heap
    MOV 0 3             # drop the item from the stack
    WAKE 1              # tell consumer
    BLOCK 3
    USE 2
end

prog consumer frame 4
    BLOCK 1             # wait for an item
    GGET 0 0            # the box
    LOAD 1 0 0          # the item, out of the box
    BLOCK 3             # hold it until main's cycle is over
    USE 1               # it must be live
    USE 0
    WAKE 2
end

start main
