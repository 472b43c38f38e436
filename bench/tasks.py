# Many tasks ping-ponging through channels: a ring of 100 generators passes
# a counter around until it has made 200,000 hops. A small scheduler with a
# ready queue and one-slot channels, as a Python program would write it.
from collections import deque

TASKS, HOPS = 100, 200000
ready = deque()

class Channel:
    def __init__(self):
        self.has, self.value = False, None
        self.receivers, self.senders = deque(), deque()

def wake(q):
    if q: ready.append(q.popleft())

result = []

def member(i, inp, out):
    me = yield
    while True:
        while not inp.has:
            inp.receivers.append(me)
            yield
        v = inp.value
        inp.has = False
        wake(inp.senders)
        if v == HOPS:
            result.append(v)
            return
        while out.has:
            out.senders.append(me)
            yield
        out.has, out.value = True, v + 1
        wake(out.receivers)

channels = [Channel() for _ in range(TASKS)]
for i in range(TASKS):
    g = member(i, channels[i], channels[(i + 1) % TASKS])
    next(g)
    g.send(g)  # runs it until it waits for its first value
channels[0].has, channels[0].value = True, 0
wake(channels[0].receivers)
while ready and not result:
    g = ready.popleft()
    try:
        next(g)
    except StopIteration:
        pass
print(result[0])
