package aliexpress

import (
	"context"
	"iter"
)

// SmartMatchAll iterates over every product SmartMatch recommends, page after page, with the
// same stopping rules as QueryProductsAll: it ends after the last page, yields the first error once
// and stops when the loop stops.
func (s *AffiliateService) SmartMatchAll(ctx context.Context, q *SmartMatchQuery) iter.Seq2[Product, error] {
	var qc SmartMatchQuery
	if q != nil {
		qc = *q
	}
	return affPages(qc.PageNo, 0, func(page int) ([]Product, affPageInfo, error) {
		qc.PageNo = page
		pg, _, err := s.SmartMatch(ctx, &qc)
		if err != nil {
			return nil, affPageInfo{}, err
		}
		items, info := affProductItems(pg)
		return items, info, nil
	})
}
