# A virtual method across 8 classes in a mixed list.
def make(v):
    class S:
        def area(self):
            return v
    return S

classes = [make(k + 1) for k in range(8)]
order = [0, 1, 2, 3, 4, 5, 6, 7, 3, 1, 6, 0, 2, 7, 5, 4]
shapes = [classes[k]() for k in order]
total = 0
for _ in range(200000):
    for s in shapes:
        total += s.area()
print(total)
