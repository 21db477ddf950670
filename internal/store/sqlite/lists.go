package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/aliscout/aliscout/internal/store"
)

const listCols = `l.id, l.owner_id, l.name, (SELECT COUNT(*) FROM list_items i WHERE i.list_id = l.id), l.created_at, l.updated_at`

func scanList(s scanner) (store.List, error) {
	var l store.List
	var created, updated int64
	err := s.Scan(&l.ID, &l.OwnerID, &l.Name, &l.ItemCount, &created, &updated)
	l.CreatedAt, l.UpdatedAt = fromMicros(created), fromMicros(updated)
	return l, err
}

// CreateList implements store.Lists.
func (q *queries) CreateList(ctx context.Context, ownerID int64, name string) (store.List, error) {
	if err := store.CheckListName(name); err != nil {
		return store.List{}, fmt.Errorf("store: create list: %w", err)
	}
	now := micros(q.clock())
	var l store.List
	var created, updated int64
	err := q.w.QueryRowContext(ctx, `
		INSERT INTO lists (owner_id, name, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)
		RETURNING id, owner_id, name, created_at, updated_at`,
		ownerID, strings.TrimSpace(name), now).Scan(&l.ID, &l.OwnerID, &l.Name, &created, &updated)
	if err != nil {
		return store.List{}, dbErr("create list", err)
	}
	l.CreatedAt, l.UpdatedAt = fromMicros(created), fromMicros(updated)
	return l, nil
}

// List implements store.Lists.
func (q *queries) List(ctx context.Context, ownerID, listID int64) (store.List, error) {
	l, err := scanList(q.r.QueryRowContext(ctx, `SELECT `+listCols+` FROM lists l WHERE l.id = ? AND l.owner_id = ?`, listID, ownerID))
	if err != nil {
		return store.List{}, dbErr("list", err)
	}
	return l, nil
}

// Lists implements store.Lists.
func (q *queries) Lists(ctx context.Context, ownerID int64) ([]store.List, error) {
	return queryAll(ctx, q.r, "lists", scanList,
		`SELECT `+listCols+` FROM lists l WHERE l.owner_id = ? ORDER BY l.updated_at DESC, l.id DESC`, ownerID)
}

// RenameList implements store.Lists.
func (q *queries) RenameList(ctx context.Context, ownerID, listID int64, name string) (store.List, error) {
	if err := store.CheckListName(name); err != nil {
		return store.List{}, fmt.Errorf("store: rename list: %w", err)
	}
	var l store.List
	err := q.inTx(ctx, func(t *queries) error {
		err := exec1(ctx, t.w, "rename list", `UPDATE lists SET name = ?, updated_at = ? WHERE id = ? AND owner_id = ?`,
			strings.TrimSpace(name), micros(t.clock()), listID, ownerID)
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
	return exec1(ctx, q.w, "delete list", `DELETE FROM lists WHERE id = ? AND owner_id = ?`, listID, ownerID)
}

// touchList marks the owner's list changed now, or returns ErrNotFound. Every change to a list's
// items starts with it, which also serializes them per list on engines that lock rows.
func (q *queries) touchList(ctx context.Context, op string, ownerID, listID int64) error {
	return exec1(ctx, q.w, op, `UPDATE lists SET updated_at = ? WHERE id = ? AND owner_id = ?`, micros(q.clock()), listID, ownerID)
}

const itemCols = `id, list_id, product_id, sku_id, country, pricing_rule, note, position, title, image_url, price_amount, price_currency, saved_at`

func scanItem(s scanner) (store.ListItem, error) {
	var it store.ListItem
	var saved int64
	err := s.Scan(&it.ID, &it.ListID, &it.ProductID, &it.SKUID, &it.Country, &it.PricingRule, &it.Note, &it.Position,
		&it.Title, &it.ImageURL, &it.Price.Amount, &it.Price.Currency, &saved)
	it.SavedAt = fromMicros(saved)
	return it, err
}

// SaveItem implements store.Lists.
func (q *queries) SaveItem(ctx context.Context, ownerID, listID int64, item store.ListItem) (store.ListItem, bool, error) {
	if err := store.CheckItem(item); err != nil {
		return store.ListItem{}, false, fmt.Errorf("store: save item: %w", err)
	}
	var saved store.ListItem
	var added bool
	err := q.inTx(ctx, func(t *queries) error {
		if err := t.touchList(ctx, "save item", ownerID, listID); err != nil {
			return err
		}
		now := micros(t.clock())
		var id int64
		err := t.w.QueryRowContext(ctx, `SELECT id FROM list_items WHERE list_id = ? AND product_id = ? AND sku_id = ?`,
			listID, item.ProductID, item.SKUID).Scan(&id)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			added = true
			saved, err = scanItem(t.w.QueryRowContext(ctx, `
				INSERT INTO list_items (list_id, product_id, sku_id, country, pricing_rule, note, position,
					title, image_url, price_amount, price_currency, saved_at)
				VALUES (?1, ?2, ?3, ?4, ?5, ?6, (SELECT COUNT(*) FROM list_items WHERE list_id = ?1), ?7, ?8, ?9, ?10, ?11)
				RETURNING `+itemCols,
				listID, item.ProductID, item.SKUID, item.Country, item.PricingRule, item.Note,
				item.Title, item.ImageURL, item.Price.Amount, item.Price.Currency, now))
		case err == nil:
			saved, err = scanItem(t.w.QueryRowContext(ctx, `
				UPDATE list_items SET
					country = CASE WHEN ?1 <> '' THEN ?1 ELSE country END,
					pricing_rule = CASE WHEN ?2 <> '' THEN ?2 ELSE pricing_rule END,
					note = CASE WHEN ?3 <> '' THEN ?3 ELSE note END,
					title = ?4, image_url = ?5, price_amount = ?6, price_currency = ?7, saved_at = ?8
				WHERE id = ?9
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
	var items []store.ListItem
	// One read transaction, so the ownership check and the items agree.
	err := q.readTx(ctx, func(r dbtx) error {
		var one int
		if err := r.QueryRowContext(ctx, `SELECT 1 FROM lists WHERE id = ? AND owner_id = ?`, listID, ownerID).Scan(&one); err != nil {
			return dbErr("items", err)
		}
		var err error
		items, err = queryAll(ctx, r, "items", scanItem,
			`SELECT `+itemCols+` FROM list_items WHERE list_id = ? ORDER BY position, id`, listID)
		return err
	})
	return items, err
}

// readTx runs fn in a read transaction, or in q's transaction.
func (q *queries) readTx(ctx context.Context, fn func(r dbtx) error) error {
	if q.tx != nil {
		return fn(q.tx)
	}
	db, ok := q.r.(*sql.DB)
	if !ok {
		return fn(q.r)
	}
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return dbErr("begin read", err)
	}
	defer tx.Rollback()
	return fn(tx)
}

// UpdateItem implements store.Lists.
func (q *queries) UpdateItem(ctx context.Context, ownerID, listID, itemID int64, c store.ItemChanges) (store.ListItem, error) {
	if err := store.CheckItemChanges(c); err != nil {
		return store.ListItem{}, fmt.Errorf("store: update item: %w", err)
	}
	var it store.ListItem
	err := q.inTx(ctx, func(t *queries) error {
		if err := t.touchList(ctx, "update item", ownerID, listID); err != nil {
			return err
		}
		var err error
		it, err = scanItem(t.w.QueryRowContext(ctx, `
			UPDATE list_items SET country = COALESCE(?, country), pricing_rule = COALESCE(?, pricing_rule), note = COALESCE(?, note)
			WHERE id = ? AND list_id = ?
			RETURNING `+itemCols,
			nullString(c.Country), nullString(c.PricingRule), nullString(c.Note), itemID, listID))
		if err != nil {
			return dbErr("update item", err)
		}
		return nil
	})
	return it, err
}

// MoveItem implements store.Lists.
func (q *queries) MoveItem(ctx context.Context, ownerID, listID, itemID int64, position int) error {
	return q.inTx(ctx, func(t *queries) error {
		if err := t.touchList(ctx, "move item", ownerID, listID); err != nil {
			return err
		}
		var from, n int
		err := t.w.QueryRowContext(ctx, `
			SELECT position, (SELECT COUNT(*) FROM list_items WHERE list_id = ?1)
			FROM list_items WHERE id = ?2 AND list_id = ?1`, listID, itemID).Scan(&from, &n)
		if err != nil {
			return dbErr("move item", err)
		}
		to := min(max(position, 0), n-1)
		switch {
		case to < from:
			_, err = t.w.ExecContext(ctx, `UPDATE list_items SET position = position + 1 WHERE list_id = ? AND position >= ? AND position < ?`, listID, to, from)
		case to > from:
			_, err = t.w.ExecContext(ctx, `UPDATE list_items SET position = position - 1 WHERE list_id = ? AND position > ? AND position <= ?`, listID, from, to)
		default:
			return nil
		}
		if err != nil {
			return dbErr("move item", err)
		}
		return exec1(ctx, t.w, "move item", `UPDATE list_items SET position = ? WHERE id = ?`, to, itemID)
	})
}

// DeleteItem implements store.Lists.
func (q *queries) DeleteItem(ctx context.Context, ownerID, listID, itemID int64) error {
	return q.inTx(ctx, func(t *queries) error {
		if err := t.touchList(ctx, "delete item", ownerID, listID); err != nil {
			return err
		}
		var pos int
		err := t.w.QueryRowContext(ctx, `DELETE FROM list_items WHERE id = ? AND list_id = ? RETURNING position`, itemID, listID).Scan(&pos)
		if err != nil {
			return dbErr("delete item", err)
		}
		if _, err := t.w.ExecContext(ctx, `UPDATE list_items SET position = position - 1 WHERE list_id = ? AND position > ?`, listID, pos); err != nil {
			return dbErr("delete item", err)
		}
		return nil
	})
}
