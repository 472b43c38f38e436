# Higher-order calls with blocks and lambdas.
def apply_n(n, f):
    acc = 0
    for i in range(n):
        acc = f(acc, i)
    return acc

def main():
    total = 0
    add = lambda a, b: a + b
    for r in range(20):
        total += apply_n(50000, lambda acc, i: acc + i)
        for i in range(50000):
            total = add(total, 1)
    print(total)

main()
