package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/aliscout/aliscout/internal/store"
)

const listCols = `l.id, l.owner_id, l.name, (SELECT COUNT(*) FROM list_items i WHERE i.list_id = l.id), l.created_at, l.updated_at`

func scanList(s scanner) (store.List, error) {
	var l store.List
	err := s.Scan(&l.ID, &l.OwnerID, &l.Name, &l.ItemCount, &l.CreatedAt, &l.UpdatedAt)
	l.CreatedAt, l.UpdatedAt = l.CreatedAt.UTC(), l.UpdatedAt.UTC()
	return l, err
}

// CreateList implements store.Lists.
func (q *queries) CreateList(ctx context.Context, ownerID int64, name string) (store.List, error) {
	if err := store.CheckListName(name); err != nil {
		return store.List{}, fmt.Errorf("store: create list: %w", err)
	}
	var l store.List
	err := q.db.QueryRow(ctx, `
		INSERT INTO lists (owner_id, name, created_at, updated_at) VALUES ($1, $2, $3, $3)
		RETURNING id, owner_id, name, created_at, updated_at`,
		ownerID, strings.TrimSpace(name), q.clock()).Scan(&l.ID, &l.OwnerID, &l.Name, &l.CreatedAt, &l.UpdatedAt)
	if err != nil {
		return store.List{}, dbErr("create list", err)
	}
	l.CreatedAt, l.UpdatedAt = l.CreatedAt.UTC(), l.UpdatedAt.UTC()
	return l, nil
}

// List implements store.Lists.
func (q *queries) List(ctx context.Context, ownerID, listID int64) (store.List, error) {
	l, err := scanList(q.db.QueryRow(ctx, `SELECT `+listCols+` FROM lists l WHERE l.id = $1 AND l.owner_id = $2`, listID, ownerID))
	if err != nil {
		return store.List{}, dbErr("list", err)
	}
	return l, nil
}

// Lists implements store.Lists.
func (q *queries) Lists(ctx context.Context, ownerID int64) ([]store.List, error) {
	return queryAll(ctx, q.db, "lists", scanList,
		`SELECT `+listCols+` FROM lists l WHERE l.owner_id = $1 ORDER BY l.updated_at DESC, l.id DESC`, ownerID)
}

// RenameList implements store.Lists.
func (q *queries) RenameList(ctx context.Context, ownerID, listID int64, name string) (store.List, error) {
	if err := store.CheckListName(name); err != nil {
		return store.List{}, fmt.Errorf("store: rename list: %w", err)
	}
	var l store.List
	err := q.tx(ctx, func(t *queries) error {
		err := exec1(ctx, t.db, "rename list", `UPDATE lists SET name = $1, updated_at = $2 WHERE id = $3 AND owner_id = $4`,
			strings.TrimSpace(name), t.clock(), listID, ownerID)
		if err != nil {
			return err
		}
		l, err = t.List(ctx, ownerID, listID)
		return err
	})
	return l, err
}

// DeleteList implements store.Lists.
func (q *queries) DeleteList(ctx context.Context, ownerID, listID int64) error {
	return exec1(ctx, q.db, "delete list", `DELETE FROM lists WHERE id = $1 AND owner_id = $2`, listID, ownerID)
}

// touchList marks the owner's list changed now, or returns ErrNotFound. Every change to a list's
// items starts with it: the row lock it takes until commit puts concurrent changes to one list in
// a queue, so positions are counted with no other writer in between.
func (q *queries) touchList(ctx context.Context, op string, ownerID, listID int64) error {
	return exec1(ctx, q.db, op, `UPDATE lists SET updated_at = $1 WHERE id = $2 AND owner_id = $3`, q.clock(), listID, ownerID)
}

const itemCols = `id, list_id, product_id, sku_id, country, pricing_rule, note, position, title, image_url, price_amount, price_currency, saved_at`

func scanItem(s scanner) (store.ListItem, error) {
	var it store.ListItem
	err := s.Scan(&it.ID, &it.ListID, &it.ProductID, &it.SKUID, &it.Country, &it.PricingRule, &it.Note, &it.Position,
		&it.Title, &it.ImageURL, &it.Price.Amount, &it.Price.Currency, &it.SavedAt)
	it.SavedAt = it.SavedAt.UTC()
	return it, err
}

// SaveItem implements store.Lists.
func (q *queries) SaveItem(ctx context.Context, ownerID, listID int64, item store.ListItem) (store.ListItem, bool, error) {
	if err := store.CheckItem(item); err != nil {
		return store.ListItem{}, false, fmt.Errorf("store: save item: %w", err)
	}
	var saved store.ListItem
	var added bool
	err := q.tx(ctx, func(t *queries) error {
		if err := t.touchList(ctx, "save item", ownerID, listID); err != nil {
			return err
		}
		now := t.clock()
		var id int64
		err := t.db.QueryRow(ctx, `SELECT id FROM list_items WHERE list_id = $1 AND product_id = $2 AND sku_id = $3`,
			listID, item.ProductID, item.SKUID).Scan(&id)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			added = true
			saved, err = scanItem(t.db.QueryRow(ctx, `
				INSERT INTO list_items (list_id, product_id, sku_id, country, pricing_rule, note, position,
					title, image_url, price_amount, price_currency, saved_at)
				VALUES ($1, $2, $3, $4, $5, $6, (SELECT COUNT(*) FROM list_items WHERE list_id = $1), $7, $8, $9, $10, $11)
				RETURNING `+itemCols,
				listID, item.ProductID, item.SKUID, item.Country, item.PricingRule, item.Note,
				item.Title, item.ImageURL, item.Price.Amount, item.Price.Currency, now))
		case err == nil:
			saved, err = scanItem(t.db.QueryRow(ctx, `
				UPDATE list_items SET
					country = CASE WHEN $1 <> '' THEN $1 ELSE country END,
					pricing_rule = CASE WHEN $2 <> '' THEN $2 ELSE pricing_rule END,
					note = CASE WHEN $3 <> '' THEN $3 ELSE note END,
					title = $4, image_url = $5, price_amount = $6, price_currency = $7, saved_at = $8
				WHERE id = $9
				RETURNING `+itemCols,
				item.Country, item.PricingRule, item.Note, item.Title, item.ImageURL, item.Price.Amount, item.Price.Currency, now, id))
		}
		if err != nil {
			return dbErr("save item", err)
		}
		return nil
	})
	return saved, added, err
}

// Items implements store.Lists.
func (q *queries) Items(ctx context.Context, ownerID, listID int64) ([]store.ListItem, error) {
	// The ownership check is in the statement, so another owner's items never leave the database.
	items, err := queryAll(ctx, q.db, "items", scanItem, `
		SELECT `+itemCols+` FROM list_items
		WHERE list_id = $1 AND EXISTS (SELECT 1 FROM lists WHERE id = $1 AND owner_id = $2)
		ORDER BY position, id`, listID, ownerID)
	if err != nil || len(items) > 0 {
		return items, err
	}
	// No items: an empty list of the owner's, or not the owner's list at all.
	if _, err := q.List(ctx, ownerID, listID); err != nil {
		return nil, err
	}
	return nil, nil
}

// UpdateItem implements store.Lists.
func (q *queries) UpdateItem(ctx context.Context, ownerID, listID, itemID int64, c store.ItemChanges) (store.ListItem, error) {
	if err := store.CheckItemChanges(c); err != nil {
		return store.ListItem{}, fmt.Errorf("store: update item: %w", err)
	}
	var it store.ListItem
	err := q.tx(ctx, func(t *queries) error {
		if err := t.touchList(ctx, "update item", ownerID, listID); err != nil {
			return err
		}
		var err error
		it, err = scanItem(t.db.QueryRow(ctx, `
			UPDATE list_items SET country = COALESCE($1, country), pricing_rule = COALESCE($2, pricing_rule), note = COALESCE($3, note)
			WHERE id = $4 AND list_id = $5
			RETURNING `+itemCols,
			c.Country, c.PricingRule, c.Note, itemID, listID))
		if err != nil {
			return dbErr("update item", err)
		}
		return nil
	})
	return it, err
}

// MoveItem implements store.Lists.
func (q *queries) MoveItem(ctx context.Context, ownerID, listID, itemID int64, position int) error {
	return q.tx(ctx, func(t *queries) error {
		if err := t.touchList(ctx, "move item", ownerID, listID); err != nil {
			return err
		}
		var from, n int
		err := t.db.QueryRow(ctx, `
			SELECT position, (SELECT COUNT(*) FROM list_items WHERE list_id = $1)
			FROM list_items WHERE id = $2 AND list_id = $1`, listID, itemID).Scan(&from, &n)
		if err != nil {
			return dbErr("move item", err)
		}
		to := min(max(position, 0), n-1)
		switch {
		case to < from:
			_, err = t.db.Exec(ctx, `UPDATE list_items SET position = position + 1 WHERE list_id = $1 AND position >= $2 AND position < $3`, listID, to, from)
		case to > from:
			_, err = t.db.Exec(ctx, `UPDATE list_items SET position = position - 1 WHERE list_id = $1 AND position > $2 AND position <= $3`, listID, from, to)
		default:
			return nil
		}
		if err != nil {
			return dbErr("move item", err)
		}
		return exec1(ctx, t.db, "move item", `UPDATE list_items SET position = $1 WHERE id = $2`, to, itemID)
	})
}

// DeleteItem implements store.Lists.
func (q *queries) DeleteItem(ctx context.Context, ownerID, listID, itemID int64) error {
	return q.tx(ctx, func(t *queries) error {
		if err := t.touchList(ctx, "delete item", ownerID, listID); err != nil {
			return err
		}
		var pos int
		err := t.db.QueryRow(ctx, `DELETE FROM list_items WHERE id = $1 AND list_id = $2 RETURNING position`, itemID, listID).Scan(&pos)
		if err != nil {
			return dbErr("delete item", err)
		}
		if _, err := t.db.Exec(ctx, `UPDATE list_items SET position = position - 1 WHERE list_id = $1 AND position > $2`, listID, pos); err != nil {
			return dbErr("delete item", err)
		}
		return nil
	})
}
