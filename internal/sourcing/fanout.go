package sourcing

import (
	"context"
	"fmt"

	"golang.org/x/sync/errgroup"
)

// forEach calls fn for i = 0 .. n-1, at most limit at a time, and returns when every call it
// started has returned. Once ctx has ended it starts no more calls: the error of each one not
// started is ctx's error. A panic in a call becomes that call's error, so one bad answer cannot take
// the server down. errs[i] is the error of call i.
func forEach(ctx context.Context, limit, n int, fn func(ctx context.Context, i int) error) (errs []error) {
	errs = make([]error, n)
	var g errgroup.Group
	g.SetLimit(max(limit, 1))
	for i := range n {
		if err := ctx.Err(); err != nil {
			for j := i; j < n; j++ {
				errs[j] = err
			}
			break
		}
		g.Go(func() error {
			defer func() {
				if v := recover(); v != nil {
					errs[i] = fmt.Errorf("sourcing: panic: %v", v)
				}
			}()
			errs[i] = fn(ctx, i)
			return nil
		})
	}
	_ = g.Wait() // every call's error is in errs
	return errs
}
