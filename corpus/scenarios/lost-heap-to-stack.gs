# lost-heap-to-stack.gs - a lost-object shape of a concurrent collector:
# a pointer moves from the heap into a stack that was already scanned,
# while its only heap link is deleted.
#
# The program is a hand-off of a one-element queue. main builds the
# queue and its item before the cycle (both white), gives the queue to
# owner and forgets it, so the owner's stack is the only root of the
# queue and the queue the only path to the item. taker parks first
# (Gwaiting: quiesce scans it early, with nothing on its stack); then
# owner publishes the queue in global 1 and wakes taker, which takes the
# global back, pops the item into a slot (LOAD, heap -> stack), stores
# nil over the queue's field (the heap link is gone) and forgets the
# queue. If owner's stack is scanned only after that, the marker reaches
# the queue with an empty field, and the item survives only on taker's
# stack, which is black: nothing will scan it again this cycle.
#
# What saves it is the hybrid barrier: the GSET shades the queue (the
# insertion half) and the STORE of nil shades the old item (the deletion
# half, Yuasa's). With the barrier off (fault wb.off) gccheckmark finds
# the item on taker's stack unmarked (gc.checkmark), or taker's USE finds
# it swept (gc.use_after_free). Every BLOCK has its WAKE:
#   sema 0: owner -> taker   sema 1: taker -> owner
#   sema 3: main -> taker and owner, after the cycle   sema 2: taker -> main
# Slot 3 of every program is never written: it is the nil that STORE and
# MOV copy. Clean under stw and quiesce too (there the world is stopped
# while stacks are scanned, so the hand-off cannot interleave with it).

threads 4
procs 2
gc conc
heap 256

prog main frame 4
    NEW 0               # the queue
    NEW 1               # its item
    STORE 0 0 1         # queue.f0 = item
    MOV 1 3             # the item is reachable only through the queue
    GO taker 3          # taker starts with nothing
    GO owner 0          # owner holds the queue
    MOV 0 3             # and main forgets it
    GC                  # taker and owner run while the stacks are scanned
    WAKE 3              # let both finish
    WAKE 3
    BLOCK 2             # taker is done
    GC                  # a cycle with nothing in flight
end

prog taker frame 4
    BLOCK 0             # wait for the queue to be handed over
    GGET 0 1            # the queue, from global 1
    GSET 1 3            # unpublish it
    LOAD 1 0 0          # pop its head: heap -> stack
    STORE 0 0 3         # queue.f0 = nil: the heap link is gone
    MOV 0 3             # forget the queue
    WAKE 1              # tell owner
    BLOCK 3             # hold the item until main's cycle is over
    USE 1               # the popped item must be live
    WAKE 2
end

prog owner frame 4
    YIELD               # let the cycle start and taker be scanned
    YIELD
    GSET 1 0            # publish the queue
    WAKE 0              # hand it over
    BLOCK 1             # until taker has popped
    BLOCK 3
    USE 0
end

start main
