package main

import (
	"context"
	"strconv"

	"github.com/aliscout/aliscout/internal/catalog"
	"github.com/aliscout/aliscout/internal/web"
)

// runCategories lists the category tree from aliexpress.affiliate.category.get.
func runCategories(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "categories", "[flags]")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	b, err := connectBackend(e)
	if err != nil {
		return err
	}
	defer b.close()
	svc, _, done, err := newService(e, b, discardLogger())
	if err != nil {
		return err
	}
	defer done()
	cats, err := svc.Categories(ctx, catalog.DefaultLanguage)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(e.stdout, web.NewCategoriesJSON(cats))
	}
	t := newTable(e.stdout, "ID", "CATEGORY")
	for _, c := range cats { // top-level categories first, each followed by its children
		name := clean(c.Name, 60)
		if c.ParentID != 0 {
			name = "  " + name
		}
		t.row(strconv.FormatInt(c.ID, 10), name)
	}
	return t.flush()
}
