# Build, interpolate, split and join strings.
def main():
    total = 0
    for rnd in range(2000):
        parts = []
        for i in range(50):
            parts.append("item-%d:%d" % (i, i * rnd))
        line = ",".join(parts)
        fields = line.split(",")
        total += len(fields) + len(line)
    print(total)

main()
