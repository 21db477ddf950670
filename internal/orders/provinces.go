package orders

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aliscout/aliscout/aliexpress"
	"github.com/aliscout/aliscout/internal/store"
)

// provinceCountries are the countries whose orders the platform refuses unless the province is one
// of the first-level divisions ds.address.get gives (reference 6.6: Brazil's province is checked,
// since March 2025). Elsewhere the platform takes the province as typed.
var provinceCountries = map[string]bool{"BR": true}

// provincesTTL is how long a country's divisions are kept: they change about never, and
// ds.address.get allows the whole app 4 calls a second.
const provincesTTL = 24 * time.Hour

// provinces keeps each country's divisions as ds.address.get gave them.
type provinces struct {
	mu sync.Mutex
	m  map[string]keptTree
}

type keptTree struct {
	tree *aliexpress.AddressTree
	at   time.Time
}

// checkProvince returns the problem of an address whose country the platform checks the province
// of, when the province is none of that country's divisions. It asks ds.address.get through c at
// most once a day per country. When the divisions cannot be read, the platform's own check at
// placement stays, so it returns no problem and logs why; err is only what the caller must see:
// the token refused (the caller renews it) or the context ended.
func (s *Service) checkProvince(ctx context.Context, c *aliexpress.Client, a store.OrderAddress) (*Problem, error) {
	country := strings.ToUpper(strings.TrimSpace(a.Country))
	if !provinceCountries[country] || strings.TrimSpace(a.Province) == "" {
		return nil, nil
	}
	tree, err := s.divisions(ctx, c, country)
	if err != nil {
		if errors.Is(err, aliexpress.ErrInvalidToken) || ctx.Err() != nil {
			return nil, err
		}
		s.cfg.Logger.WarnContext(ctx, "orders: the provinces AliExpress knows could not be read; the province is left to its check at placement",
			"country", country, "err", err)
		return nil, nil
	}
	if len(tree.Children) == 0 { // a list that names nothing refuses nothing
		return nil, nil
	}
	if _, ok := tree.Find(a.Province); ok {
		return nil, nil
	}
	var examples []string
	for _, n := range tree.Children[:min(3, len(tree.Children))] {
		if n.Code != "" && n.Code != n.Name {
			examples = append(examples, n.Name+" ("+n.Code+")")
		} else {
			examples = append(examples, n.Name)
		}
	}
	return &Problem{Field: "address.province", Message: fmt.Sprintf(
		"AliExpress does not know %q as a state or province of %s: give one it knows, by name or code (%s, ...)",
		strings.TrimSpace(a.Province), country, strings.Join(examples, ", "))}, nil
}

// divisions returns country's divisions, read with c when not kept or kept for longer than provincesTTL.
func (s *Service) divisions(ctx context.Context, c *aliexpress.Client, country string) (*aliexpress.AddressTree, error) {
	now := s.cfg.Now()
	s.provinces.mu.Lock()
	k, ok := s.provinces.m[country]
	s.provinces.mu.Unlock()
	if ok && now.Sub(k.at) < provincesTTL {
		return k.tree, nil
	}
	tree, _, err := c.DS.Addresses(ctx, country, nil)
	if err != nil {
		return nil, err
	}
	s.provinces.mu.Lock()
	if s.provinces.m == nil {
		s.provinces.m = map[string]keptTree{}
	}
	s.provinces.m[country] = keptTree{tree: tree, at: now}
	s.provinces.mu.Unlock()
	return tree, nil
}
