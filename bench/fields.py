# Allocate many small objects and read their fields.
class Point:
    __slots__ = ("x", "y")
    def __init__(self, x, y):
        self.x = x
        self.y = y

def main():
    total = 0
    for i in range(2000000):
        p = Point(i, i + 1)
        total += p.x + p.y
    print(total)

main()
