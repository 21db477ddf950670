package world

import "math/rand/v2"

// Every number in the catalog comes from mixing the seed with what it describes (a product ID, a
// day, a purpose), so any fact can be computed on its own, in any order, by any goroutine.

// Purposes keep the streams of different facts apart: changing how one fact is drawn never moves
// another.
const (
	saltIDs uint64 = iota + 1
	saltItem
	saltShop
	saltDetail
	saltDrift
	saltDriftLevel
	saltSale
	saltOrders
	saltStock
	saltSellout
	saltVariant
	saltScore
	saltAffiliate
	saltAffOrder
	saltDeals
	saltImage
	saltWholesale
	saltBuyLimit
	saltCurrency
)

// mix folds values into one well-spread 64-bit hash (splitmix64 finalizer per step).
func mix(vs ...uint64) uint64 {
	h := uint64(0x9e3779b97f4a7c15)
	for _, v := range vs {
		h ^= v + 0x9e3779b97f4a7c15 + (h << 6) + (h >> 2)
		h = fmix(h)
	}
	return h
}

func fmix(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// newRand returns a generator seeded from the catalog seed and what it is for.
func newRand(seed int64, vs ...uint64) *rand.Rand {
	src := &rand.PCG{}
	reseed(src, seed, vs...)
	return rand.New(src)
}

// reseed points src at the stream for (seed, vs...), the same stream newRand gives, so a loop
// over many products can reuse one generator.
func reseed(src *rand.PCG, seed int64, vs ...uint64) {
	a := fmix(uint64(seed) ^ 0x5851f42d4c957f2d)
	a = mix(append([]uint64{a}, vs...)...)
	src.Seed(a, fmix(a^0x632be59bd9b4e019))
}

// floorDiv divides rounding towards minus infinity, so day -1 falls in the period before day 0.
func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// pick returns one element of xs.
func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// perMille applies a factor in thousandths to an amount in cents, rounding half up. It is
// monotonic in both arguments, which keeps the cheapest variant the cheapest on every day.
func perMille(cents int64, f int64) int64 { return (cents*f + 500) / 1000 }
