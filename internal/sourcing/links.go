package sourcing

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/aliscout/aliscout/aliexpress"
	"github.com/aliscout/aliscout/internal/cache"
	"github.com/aliscout/aliscout/internal/catalog"
)

// maxLinks bounds one links or import request.
const maxLinks = 200

// Links turns AliExpress URLs (product pages, short links, IDs) into tracked affiliate links.
// Each source gets its own answer; one that is not an AliExpress product says why.
func (s *Service) Links(ctx context.Context, sources []string) ([]catalog.Link, error) {
	if len(sources) > maxLinks {
		return nil, catalog.Invalid("urls", "%d links; at most %d at a time", len(sources), maxLinks)
	}
	links := make([]catalog.Link, len(sources))
	ids := s.resolveAll(ctx, sources)
	var canon []string
	for i, src := range sources {
		links[i].Source = src
		if ids[i].err != nil {
			links[i].Error = ids[i].err.Error()
			continue
		}
		links[i].ProductID = ids[i].id
		canon = append(canon, aliexpress.ProductURL(ids[i].id))
	}
	if len(canon) == 0 {
		return links, nil
	}
	slices.Sort(canon)
	canon = slices.Compact(canon)
	made, _, err := cache.FetchJSON(ctx, s.cache, s.key(append([]string{"links", s.ae.TrackingID()}, canon...)...), 24*time.Hour,
		func(ctx context.Context) ([]aliexpress.PromotionLink, error) {
			return guarded(s, "aliexpress.affiliate.link.generate", func() ([]aliexpress.PromotionLink, error) {
				pl, _, err := s.ae.Affiliate.GenerateLinks(ctx, canon, nil)
				return pl, err
			})
		})
	if err != nil {
		return nil, Translate(err)
	}
	byURL := map[string]aliexpress.PromotionLink{}
	for _, m := range made {
		if id, err := aliexpress.ParseProductID(m.SourceValue); err == nil {
			byURL[aliexpress.ProductURL(id)] = m
		}
	}
	for i := range links {
		if links[i].ProductID == 0 {
			continue
		}
		m, ok := byURL[aliexpress.ProductURL(links[i].ProductID)]
		switch {
		case ok && m.PromotionLink != "":
			links[i].URL = m.PromotionLink
		case ok && m.Message != "":
			links[i].Error = "AliExpress made no link: " + m.Message
		default:
			links[i].Error = "AliExpress made no link for this product"
		}
	}
	return links, nil
}

type resolved struct {
	id  int64
	err error
}

// resolveAll turns each input into a product ID: parsed offline when it can be, short links
// followed over HTTP (only to AliExpress hosts).
func (s *Service) resolveAll(ctx context.Context, inputs []string) []resolved {
	out := make([]resolved, len(inputs))
	var short []int // the inputs that are short links, to follow over HTTP
	for i, in := range inputs {
		id, err := aliexpress.ParseProductID(in)
		switch {
		case err == nil:
			out[i] = resolved{id: id}
		case errors.Is(err, aliexpress.ErrShortLink):
			short = append(short, i)
		default:
			out[i] = resolved{err: errors.New("not an AliExpress product link or ID")}
		}
	}
	hc := s.opts.LinkClient
	if hc == nil {
		hc = s.ae.HTTPClient()
	}
	errs := forEach(ctx, s.opts.Parallel, len(short), func(ctx context.Context, j int) error {
		ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		defer cancel()
		id, err := aliexpress.ResolveProductID(ctx, hc, inputs[short[j]])
		if err != nil {
			return err
		}
		out[short[j]] = resolved{id: id}
		return nil
	})
	for j, err := range errs {
		switch {
		case err == nil:
		case ctx.Err() != nil:
			out[short[j]] = resolved{err: errors.New("not resolved in time: try again")}
		default:
			out[short[j]] = resolved{err: errors.New("the short link could not be followed to a product page")}
		}
	}
	return out
}

// Import looks up every line a user pasted (URLs, short links, IDs) and says for each what was
// found or why not. Blank lines are skipped; the same product twice is found twice.
func (s *Service) Import(ctx context.Context, inputs []string, o catalog.ProductOptions) []catalog.ImportResult {
	o = normalizeOptions(o)
	var lines []string
	for _, in := range inputs {
		if t := strings.TrimSpace(in); t != "" {
			lines = append(lines, t)
		}
	}
	out := make([]catalog.ImportResult, len(lines))
	if err := validateOptions(o); err != nil {
		for i, l := range lines {
			out[i] = catalog.ImportResult{Input: l, Error: err.Error(), Code: catalog.EInvalid}
		}
		return out
	}
	ids := s.resolveAll(ctx, lines)
	var found []int // the lines that name a product
	var want []int64
	for i, l := range lines {
		out[i].Input = l
		if ids[i].err != nil {
			out[i].Error, out[i].Code = ids[i].err.Error(), catalog.EInvalid
			continue
		}
		found = append(found, i)
		want = append(want, ids[i].id)
	}
	for j, f := range s.Products(ctx, want, o) {
		i := found[j]
		if f.Err != nil {
			out[i].Code, out[i].Error = catalog.ErrorCode(f.Err), f.Err.Error()
			continue
		}
		p := f.Product
		out[i].Product = &p
	}
	return out
}
