package aliexpress

import (
	"context"
	"iter"
)

// SmartMatchAll iterates over every product SmartMatch recommends, page after page, with the
// same stopping rules as QueryProductsAll: it ends after the last page, yields the first error once
// and stops when the loop stops.
func (s *AffiliateService) SmartMatchAll(ctx context.Context, q *SmartMatchQuery) iter.Seq2[Product, error] {
	return affProductPages(ctx, q, func(q *SmartMatchQuery) (*int, int) { return &q.PageNo, 0 }, s.SmartMatch)
}
