package main

import (
	"context"
	"sort"
	"strconv"
	"strings"

	"github.com/aliscout/aliscout/aliexpress"
)

// runCategories lists the category tree from aliexpress.affiliate.category.get.
func runCategories(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "categories", "[flags]")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	b, err := connect(e)
	if err != nil {
		return err
	}
	defer b.close()
	cats, _, err := b.client.Affiliate.Categories(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(e.stdout, cats)
	}
	children := map[int64][]aliexpress.Category{}
	var tops []aliexpress.Category
	for _, c := range cats {
		if c.ParentID == 0 {
			tops = append(tops, c)
		} else {
			children[c.ParentID] = append(children[c.ParentID], c)
		}
	}
	byName := func(cs []aliexpress.Category) {
		sort.Slice(cs, func(i, j int) bool { return strings.ToLower(cs[i].Name) < strings.ToLower(cs[j].Name) })
	}
	byName(tops)
	t := newTable(e.stdout, "ID", "CATEGORY")
	for _, top := range tops {
		t.row(strconv.FormatInt(top.ID, 10), clean(top.Name, 60))
		kids := children[top.ID]
		byName(kids)
		for _, k := range kids {
			t.row(strconv.FormatInt(k.ID, 10), "  "+clean(k.Name, 60))
		}
	}
	return t.flush()
}
