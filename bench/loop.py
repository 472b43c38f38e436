# Nested integer loops: a multiply, an add and a modulo per iteration.
def main():
    total = 0
    for i in range(3000):
        for j in range(3000):
            total = (total + i * j) % 1000003
    print(total)

main()
