package sourcing

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aliscout/aliscout/aliexpress"
	"github.com/aliscout/aliscout/internal/cache"
	"github.com/aliscout/aliscout/internal/catalog"
)

// Categories returns AliExpress's category tree, top-level categories first, each followed by its
// children, by name. Every search page shows the tree, so the sorted tree is kept decoded in memory
// while its cache entry is fresh; the slice is shared: callers must not change it.
func (s *Service) Categories(ctx context.Context, language string) ([]catalog.Category, error) {
	now := s.opts.Now()
	s.cats.mu.Lock()
	if s.cats.tree != nil && now.Before(s.cats.until) {
		cats := s.cats.tree
		s.cats.mu.Unlock()
		return cats, nil
	}
	s.cats.mu.Unlock()
	cats, r, err := cache.FetchJSON(ctx, s.cache, s.key("categories"), s.opts.TTLs.Categories, func(ctx context.Context) ([]aliexpress.Category, error) {
		return guarded(s, "aliexpress.affiliate.category.get", func() ([]aliexpress.Category, error) {
			cs, _, err := s.ae.Affiliate.Categories(ctx)
			return cs, err
		})
	})
	if err != nil {
		return nil, Translate(err)
	}
	var tops []catalog.Category
	children := map[int64][]catalog.Category{}
	for _, c := range cats {
		cc := catalog.Category{ID: c.ID, Name: c.Name, ParentID: c.ParentID}
		if c.ParentID == 0 {
			tops = append(tops, cc)
		} else {
			children[c.ParentID] = append(children[c.ParentID], cc)
		}
	}
	byName := func(a, b catalog.Category) int { return cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) }
	slices.SortFunc(tops, byName)
	out := make([]catalog.Category, 0, len(cats))
	for _, t := range tops {
		out = append(out, t)
		kids := children[t.ID]
		slices.SortFunc(kids, byName)
		out = append(out, kids...)
	}
	if !r.Stale {
		s.cats.mu.Lock()
		s.cats.tree, s.cats.until = out, r.StoredAt.Add(s.opts.TTLs.Categories)
		s.cats.mu.Unlock()
	}
	return out, nil
}

// categoryMemo is the sorted category tree, decoded, while its cache entry is fresh.
type categoryMemo struct {
	mu    sync.Mutex
	tree  []catalog.Category
	until time.Time
}
