package aliexpress

import (
	"context"
	"errors"
	"iter"
	"strings"
	"time"
)

// AffiliateOrderStatus is the state of an order a publisher's link earned (order.list's status).
type AffiliateOrderStatus string

// The affiliate order statuses.
const (
	AffiliateOrderPaymentCompleted      AffiliateOrderStatus = "Payment Completed"
	AffiliateOrderBuyerConfirmedReceipt AffiliateOrderStatus = "Buyer Confirmed Receipt"
	AffiliateOrderCompletedSettlement   AffiliateOrderStatus = "Completed Settlement"
	AffiliateOrderInvalid               AffiliateOrderStatus = "Invalid"
)

const (
	affMaxOrderIDsPerCall     = 20    // order.get's maximum is not published
	affDefaultSettledCurrency = "USD" // when an order does not name its settled_currency
)

// AffiliateOrderTimeType says which time of an order OrderQuery's period applies to (time_type).
type AffiliateOrderTimeType string

// The affiliate order time types.
const (
	AffiliateOrderTimePaymentCompleted      AffiliateOrderTimeType = "Payment Completed Time"
	AffiliateOrderTimeBuyerConfirmedReceipt AffiliateOrderTimeType = "Buyer Confirmed Receipt Time"
	AffiliateOrderTimeCompletedSettlement   AffiliateOrderTimeType = "Completed Settlement Time"
)

// OrderQuery selects the orders a publisher's links earned, for Orders.
type OrderQuery struct {
	// StartTime and EndTime bound the period (required); they are sent in PST, as the platform
	// expects.
	StartTime time.Time
	EndTime   time.Time
	Status    AffiliateOrderStatus // required
	// TimeType is the order time the period applies to; empty is the platform's default.
	TimeType   AffiliateOrderTimeType
	LocaleSite LocaleSite
	PageNo     int
	PageSize   int      // 1 to 50; 0 is the platform's default
	Fields     []string // response fields to return; empty = all
}

// AffiliateOrder is an order (one sub-order of it, as the platform counts them) that a publisher's
// link earned. Amounts are in SettledCurrency; times are the platform's PST times.
type AffiliateOrder struct {
	OrderID           int64
	SubOrderID        int64
	ParentOrderNumber int64
	OrderNumber       int64
	Status            AffiliateOrderStatus // order_status
	OrderType         string
	// OrderPlatform is influencer_platform or affiliate_platform: where the order is attributed.
	OrderPlatform    string
	TrackingID       string
	CustomParameters string

	CreatedTime             time.Time
	PaidTime                time.Time
	FinishedTime            time.Time
	CompletedSettlementTime time.Time

	PaidAmount                           Money
	FinishedAmount                       Money
	EstimatedPaidCommission              Money
	EstimatedFinishedCommission          Money
	EstimatedIncentivePaidCommission     Money
	EstimatedIncentiveFinishedCommission Money
	NewBuyerBonusCommission              Money
	CommissionRate                       float64 // percent
	IncentiveCommissionRate              float64 // percent
	SettledCurrency                      string

	IsNewBuyer         bool
	IsHotProduct       bool
	IsAffiliateProduct bool
	EffectDetailStatus string

	ShipToCountry       string
	ProductID           int64
	ProductTitle        string
	ProductDetailURL    string
	ProductMainImageURL string
	ProductCount        int
	CategoryID          int64
}

// OrderPage is one page of Orders.
type OrderPage struct {
	Orders       []AffiliateOrder
	CurrentPage  int
	PageRecords  int
	TotalPages   int
	TotalRecords int
}

type affOrderWire struct {
	OrderID                              flexInt    `json:"order_id"`
	SubOrderID                           flexInt    `json:"sub_order_id"`
	ParentOrderNumber                    flexInt    `json:"parent_order_number"`
	OrderNumber                          flexInt    `json:"order_number"`
	OrderStatus                          flexString `json:"order_status"`
	OrderType                            flexString `json:"order_type"`
	OrderPlatform                        flexString `json:"order_platform"`
	TrackingID                           flexString `json:"tracking_id"`
	CustomParameters                     flexText   `json:"custom_parameters"`
	CustomerParameters                   flexText   `json:"customer_parameters"` // order.get's name for it
	CreatedTime                          flexTime   `json:"created_time"`
	PaidTime                             flexTime   `json:"paid_time"`
	FinishedTime                         flexTime   `json:"finished_time"`
	CompletedSettlementTime              flexTime   `json:"completed_settlement_time"`
	PaidAmount                           flexMoney  `json:"paid_amount"`
	FinishedAmount                       flexMoney  `json:"finished_amount"`
	EstimatedPaidCommission              flexMoney  `json:"estimated_paid_commission"`
	EstimatedFinishedCommission          flexMoney  `json:"estimated_finished_commission"`
	EstimatedIncentivePaidCommission     flexMoney  `json:"estimated_incentive_paid_commission"`
	EstimatedIncentiveFinishedCommission flexMoney  `json:"estimated_incentive_finished_commission"`
	NewBuyerBonusCommission              flexMoney  `json:"new_buyer_bonus_commission"`
	CommissionRate                       flexFloat  `json:"commission_rate"`
	IncentiveCommissionRate              flexFloat  `json:"incentive_commission_rate"`
	SettledCurrency                      flexString `json:"settled_currency"`
	IsNewBuyer                           flexBool   `json:"is_new_buyer"`
	IsHotProduct                         flexBool   `json:"is_hot_product"`
	IsAffiliateProduct                   flexBool   `json:"is_affiliate_product"`
	EffectDetailStatus                   flexString `json:"effect_detail_status"`
	ShipToCountry                        flexString `json:"ship_to_country"`
	ProductID                            flexInt    `json:"product_id"`
	ProductTitle                         flexText   `json:"product_title"`
	ProductDetailURL                     flexString `json:"product_detail_url"`
	ProductMainImageURL                  flexString `json:"product_main_image_url"`
	ProductCount                         flexInt    `json:"product_count"`
	CategoryID                           flexInt    `json:"category_id"`
}

// order converts w, whose order_id was checked. The platform documents the amounts as Numbers
// without a unit; an integer is read as minor units (cents) of the settled currency, a decimal
// with a point as major units.
func (w *affOrderWire) order() AffiliateOrder {
	cur := strings.ToUpper(dsDefault(w.SettledCurrency.s, affDefaultSettledCurrency))
	custom := w.CustomParameters.s
	if custom == "" {
		custom = w.CustomerParameters.s
	}
	return AffiliateOrder{
		OrderID:                              w.OrderID.v,
		SubOrderID:                           w.SubOrderID.v,
		ParentOrderNumber:                    w.ParentOrderNumber.v,
		OrderNumber:                          w.OrderNumber.v,
		Status:                               AffiliateOrderStatus(w.OrderStatus.s),
		OrderType:                            w.OrderType.s,
		OrderPlatform:                        w.OrderPlatform.s,
		TrackingID:                           w.TrackingID.s,
		CustomParameters:                     custom,
		CreatedTime:                          w.CreatedTime.t,
		PaidTime:                             w.PaidTime.t,
		FinishedTime:                         w.FinishedTime.t,
		CompletedSettlementTime:              w.CompletedSettlementTime.t,
		PaidAmount:                           w.PaidAmount.amount(cur),
		FinishedAmount:                       w.FinishedAmount.amount(cur),
		EstimatedPaidCommission:              w.EstimatedPaidCommission.amount(cur),
		EstimatedFinishedCommission:          w.EstimatedFinishedCommission.amount(cur),
		EstimatedIncentivePaidCommission:     w.EstimatedIncentivePaidCommission.amount(cur),
		EstimatedIncentiveFinishedCommission: w.EstimatedIncentiveFinishedCommission.amount(cur),
		NewBuyerBonusCommission:              w.NewBuyerBonusCommission.amount(cur),
		CommissionRate:                       w.CommissionRate.v,
		IncentiveCommissionRate:              w.IncentiveCommissionRate.v,
		SettledCurrency:                      cur,
		IsNewBuyer:                           w.IsNewBuyer.v,
		IsHotProduct:                         w.IsHotProduct.v,
		IsAffiliateProduct:                   w.IsAffiliateProduct.v,
		EffectDetailStatus:                   w.EffectDetailStatus.s,
		ShipToCountry:                        w.ShipToCountry.s,
		ProductID:                            w.ProductID.v,
		ProductTitle:                         w.ProductTitle.s,
		ProductDetailURL:                     w.ProductDetailURL.s,
		ProductMainImageURL:                  w.ProductMainImageURL.s,
		ProductCount:                         int(w.ProductCount.v),
		CategoryID:                           w.CategoryID.v,
	}
}

type affOrderResultWire struct {
	CurrentPageNo      flexInt            `json:"current_page_no"`
	CurrentRecordCount flexInt            `json:"current_record_count"`
	TotalPageNo        flexInt            `json:"total_page_no"`
	TotalRecordCount   flexInt            `json:"total_record_count"`
	Orders             list[affOrderWire] `json:"orders"`
}

// orders calls order.list or order.get and reads the result; "no results" is an empty page.
func (s *AffiliateService) orders(ctx context.Context, m string, p affParams) (*OrderPage, *Response, error) {
	x, err := s.client.do(ctx, &request{method: m, params: p, idempotent: true, session: s.client.accessToken != ""})
	if err != nil {
		if errors.Is(err, ErrNoResults) {
			return &OrderPage{Orders: []AffiliateOrder{}}, x.resp, nil
		}
		return nil, x.resp, err
	}
	path, raw := x.result()
	var w affOrderResultWire
	if len(strings.TrimSpace(string(raw))) > 0 && strings.TrimSpace(string(raw)) != "null" {
		if err := x.decode(path, raw, &w); err != nil {
			return nil, x.resp, err
		}
	}
	page := &OrderPage{
		Orders:       make([]AffiliateOrder, 0, w.Orders.len()),
		CurrentPage:  int(w.CurrentPageNo.v),
		PageRecords:  int(w.CurrentRecordCount.v),
		TotalPages:   int(w.TotalPageNo.v),
		TotalRecords: int(w.TotalRecordCount.v),
	}
	orders := w.Orders.all()
	for i := range orders {
		if err := x.need(orders[i].OrderID.bad, func() string { return joinPath(indexPath(joinPath(path, "orders"), w.Orders.index(i)), "order_id") }); err != nil {
			return nil, x.resp, err
		}
		page.Orders = append(page.Orders, orders[i].order())
	}
	if page.PageRecords == 0 {
		page.PageRecords = len(page.Orders)
	}
	return page, x.resp, nil
}

func (q *OrderQuery) params(m string) (affParams, error) {
	if q == nil {
		q = &OrderQuery{}
	}
	p := affParams{}
	switch {
	case q.StartTime.IsZero():
		return nil, affInvalid(m, "StartTime (start_time) is required")
	case q.EndTime.IsZero():
		return nil, affInvalid(m, "EndTime (end_time) is required")
	case q.EndTime.Before(q.StartTime):
		return nil, affInvalid(m, "EndTime (end_time) %s is before StartTime %s", affTime(q.EndTime), affTime(q.StartTime))
	}
	p.set("start_time", affTime(q.StartTime))
	p.set("end_time", affTime(q.EndTime))
	switch q.Status {
	case AffiliateOrderPaymentCompleted, AffiliateOrderBuyerConfirmedReceipt, AffiliateOrderCompletedSettlement, AffiliateOrderInvalid:
		p.set("status", string(q.Status))
	case "":
		return nil, affInvalid(m, "Status (status) is required")
	default:
		return nil, affInvalid(m, "Status (status): %q is not a known order status", string(q.Status))
	}
	switch q.TimeType {
	case "", AffiliateOrderTimePaymentCompleted, AffiliateOrderTimeBuyerConfirmedReceipt, AffiliateOrderTimeCompletedSettlement:
		p.set("time_type", string(q.TimeType))
	default:
		return nil, affInvalid(m, "TimeType (time_type): %q is not a known time type", string(q.TimeType))
	}
	switch q.LocaleSite {
	case "", LocaleSiteGlobal, LocaleSiteIT, LocaleSiteES, LocaleSiteRU:
		p.set("locale_site", string(q.LocaleSite))
	default:
		return nil, affInvalid(m, "LocaleSite (locale_site): %q is not global, it_site, es_site or ru_site", string(q.LocaleSite))
	}
	if err := affPaging(m, p, q.PageNo, q.PageSize, affMaxPageSize); err != nil {
		return nil, err
	}
	if err := affPutFields(m, p, q.Fields); err != nil {
		return nil, err
	}
	return p, nil
}

// Orders returns one page of the orders the publisher's links earned with
// aliexpress.affiliate.order.list. A period without orders is an empty page, not an error. The
// client's access token is sent when it has one.
func (s *AffiliateService) Orders(ctx context.Context, q *OrderQuery) (*OrderPage, *Response, error) {
	const m = affMethodOrderList
	p, err := q.params(m)
	if err != nil {
		return nil, &Response{Method: m}, err
	}
	return s.orders(ctx, m, p)
}

// OrdersAll iterates over every order Orders finds, calling aliexpress.affiliate.order.list once per
// page; it stops after the last page, on the first error (yielded once), when the loop stops, and
// after 1,000 pages at most.
func (s *AffiliateService) OrdersAll(ctx context.Context, q *OrderQuery) iter.Seq2[AffiliateOrder, error] {
	var qc OrderQuery
	if q != nil {
		qc = *q
	}
	return affPages(qc.PageNo, qc.PageSize, func(page int) ([]AffiliateOrder, affPageInfo, error) {
		qc.PageNo = page
		pg, _, err := s.Orders(ctx, &qc)
		if err != nil {
			return nil, affPageInfo{}, err
		}
		return pg.Orders, affPageInfo{current: pg.CurrentPage, totalPages: pg.TotalPages, totalRecords: pg.TotalRecords}, nil
	})
}

// OrdersByIDOptions tune OrdersByID.
type OrdersByIDOptions struct {
	Fields []string // response fields to return; empty = all
}

// OrdersByID returns the orders with the given IDs with aliexpress.affiliate.order.get, 20 IDs per
// call, one call after another. Orders the platform does not know are left out; an order may come
// back as several sub-orders. The Response adds up the attempts of every call.
func (s *AffiliateService) OrdersByID(ctx context.Context, ids []int64, opts *OrdersByIDOptions) ([]AffiliateOrder, *Response, error) {
	const m = affMethodOrderGet
	total := &Response{Method: m}
	if opts == nil {
		opts = &OrdersByIDOptions{}
	}
	want := make([]int64, 0, len(ids))
	seen := make(map[int64]bool, len(ids))
	for _, id := range ids {
		if id <= 0 {
			return nil, total, affInvalid(m, "order_ids: %d is not an order ID", id)
		}
		if !seen[id] {
			seen[id] = true
			want = append(want, id)
		}
	}
	base := affParams{}
	if err := affPutFields(m, base, opts.Fields); err != nil {
		return nil, total, err
	}
	out := []AffiliateOrder{}
	for _, batch := range affBatches(want, affMaxOrderIDsPerCall) {
		p := make(affParams, len(base)+1)
		for k, v := range base {
			p[k] = v
		}
		p["order_ids"] = affJoinIDs(batch)
		page, resp, err := s.orders(ctx, m, p)
		affMergeResponse(total, resp)
		if err != nil {
			return nil, total, err
		}
		out = append(out, page.Orders...)
	}
	return out, total, nil
}
