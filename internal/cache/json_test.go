package cache

import (
	"context"
	"errors"
	"reflect"
	"sync/atomic"
	"testing"
	"time"
)

type product struct {
	ID     string   `json:"id"`
	Title  string   `json:"title"`
	Cents  int64    `json:"cents"`
	Images []string `json:"images"`
}

func TestFetchJSON(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			h := newHarness(t, b, Options{})
			want := product{ID: "1005001", Title: "Phone case <b>", Cents: 399, Images: []string{"a.jpg"}}
			var calls atomic.Int64
			load := func(context.Context) (product, error) {
				calls.Add(1)
				return want, nil
			}
			got, r, err := FetchJSON(t.Context(), h.cache, "p", ttl, load)
			if err != nil || !reflect.DeepEqual(got, want) || r.Hit {
				t.Fatalf("FetchJSON = %+v, %+v, %v; want %+v loaded", got, r, err, want)
			}
			got, r, err = FetchJSON(t.Context(), h.cache, "p", ttl, load)
			if err != nil || !reflect.DeepEqual(got, want) || !r.Hit {
				t.Errorf("second FetchJSON = %+v, %+v, %v; want %+v as a hit", got, r, err, want)
			}
			// Each caller owns its copy.
			got.Images[0] = "changed.jpg"
			again, _, _ := FetchJSON(t.Context(), h.cache, "p", ttl, load)
			if again.Images[0] != "a.jpg" {
				t.Errorf("FetchJSON after a caller changed its copy = %+v; want the cached value untouched", again)
			}
			if n := calls.Load(); n != 1 {
				t.Errorf("loads = %d; want 1", n)
			}
		})
	}
}

func TestFetchJSONStaleAndErrors(t *testing.T) {
	h := newHarness(t, backends[0], Options{})
	want := product{ID: "1"}
	FetchJSON(t.Context(), h.cache, "p", ttl, func(context.Context) (product, error) { return want, nil })
	h.clk.Advance(ttl)
	got, r, err := FetchJSON(t.Context(), h.cache, "p", ttl, func(context.Context) (product, error) { return product{ID: "wrong"}, errRateLimited })
	if err != nil || got.ID != "1" || !r.Stale || !errors.Is(r.Err, errRateLimited) {
		t.Errorf("FetchJSON after a failed load = %+v, %+v, %v; want stale %+v", got, r, err, want)
	}

	got, _, err = FetchJSON(t.Context(), h.cache, "nothing", ttl, func(context.Context) (product, error) { return product{ID: "partial"}, errRateLimited })
	if err != errRateLimited || got.ID != "" {
		t.Errorf("FetchJSON with nothing cached = %+v, %v; want the zero value and the load error", got, err)
	}

	_, _, err = FetchJSON(t.Context(), h.cache, "chan", ttl, func(context.Context) (chan int, error) { return make(chan int), nil })
	if err == nil {
		t.Errorf("FetchJSON of a value JSON cannot encode = nil error; want one")
	}
}

// An entry that no longer decodes into the type asked for, as after a
// release changes it, is loaded again rather than served or failed.
func TestFetchJSONReloadsUndecodableEntry(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			h := newHarness(t, b, Options{})
			h.store.Set(t.Context(), "p", Entry{Value: []byte(`{"id": 1005001}`), StoredAt: h.clk.Now()}, time.Hour)
			got, r, err := FetchJSON(t.Context(), h.cache, "p", ttl, func(context.Context) (product, error) { return product{ID: "new"}, nil })
			if err != nil || got.ID != "new" || r.Hit {
				t.Errorf("FetchJSON over an old-format entry = %+v, %+v, %v; want a fresh load", got, r, err)
			}
			if s := h.cache.Stats(); s.StoreErrors != 2 {
				t.Errorf("Stats().StoreErrors = %d; want 2 (the caller's read and the load's re-read)", s.StoreErrors)
			}

			// And an undecodable stale entry is not served after a failed load.
			h.store.Set(t.Context(), "q", Entry{Value: []byte(`{"id": 1005001}`), StoredAt: h.clk.Now().Add(-ttl)}, time.Hour)
			_, _, err = FetchJSON(t.Context(), h.cache, "q", ttl, func(context.Context) (product, error) { return product{}, errRateLimited })
			if err != errRateLimited {
				t.Errorf("FetchJSON over an old-format stale entry with upstream down = %v; want the load error", err)
			}
		})
	}
}
