package aliexpress

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Orders on the Dropshipping API: placing (aliexpress.ds.order.create), reading
// (aliexpress.trade.ds.order.get), tracking (aliexpress.ds.order.tracking.get) and the reports the
// platform asks of dropshipping apps.

// OrderRequest is an order to place with DSService.CreateOrder.
type OrderRequest struct {
	// OutOrderID is your own order number. The platform refuses a second order with the same one
	// for 24 hours (ErrDuplicateOrder), which makes placing it safe to retry: only orders that
	// carry one are ever sent twice by the client. Set it.
	OutOrderID string
	Address    ShippingAddress
	Items      []OrderItem
	// PayCurrency is the payment currency (the platform takes "USD" only); TryToPay asks the
	// platform to pay at once from the account's auto-pay method (the account must be enabled).
	PayCurrency string
	TryToPay    bool
	// PromotionCode, PromotionChannelInfo and PromotionActivityID apply a promotion.
	PromotionCode        string
	PromotionChannelInfo string
	PromotionActivityID  string
	// BusinessModel is "retail" (the platform's default) or "wholesale".
	BusinessModel string
	// CustomizeSKUMap maps a SKU ID to a customization ID, for customized products.
	CustomizeSKUMap map[string]string
	// NatAddr is the Saudi national short address (4 letters + 4 digits).
	NatAddr string
}

// ShippingAddress is where an order goes (logistics_address). Address, City, Province and Country
// are required; countries have further rules (the platform's error says which).
type ShippingAddress struct {
	FullName      string
	ContactPerson string
	Address       string
	Address2      string
	City          string
	Province      string
	Country       string // two letters
	Zip           string
	MobileNo      string
	PhoneCountry  string // phone country code, e.g. "+1"
	Locale        string
	// Identity and tax numbers some countries require.
	CPF                  string // Brazil
	PassportNo           string
	PassportNoDate       string
	PassportOrganization string
	TaxNumber            string
	RutNo                string // Chile
	ForeignerPassportNo  string
	// IsForeigner marks a recipient who is not a local of Country. For Israel and Argentina the
	// platform wants is_foreigner on every order (changelog, Aug 2025): the SDK sends "false" for
	// them unless this is set, and the recipient's tax ID goes in PassportNo for a local and in
	// ForeignerPassportNo for a foreigner. Elsewhere it is sent only when set.
	IsForeigner           bool
	VATNo                 string
	TaxCompany            string
	LocationTreeAddressID string
}

// OrderItem is one line of an OrderRequest.
type OrderItem struct {
	ProductID int64 // required
	Quantity  int   // required, at least 1
	// SKUAttr is DSVariant.Attr of the variant; "" for a single-SKU product.
	SKUAttr string
	// LogisticsService is DeliveryOption.Code of the chosen shipping service.
	LogisticsService string
	Memo             string // a note to the seller
}

// OrderResult is a placed order. The platform splits an order by seller, so there may be several
// order IDs.
type OrderResult struct {
	OrderIDs []int64
	// Message is set when the order was placed but something after it failed, e.g. automatic
	// payment: "OrderCreated, autoPay fail:APIPayFail". The orders exist and wait for payment.
	Message string
	// Code is the platform's error_code alongside Message, if any.
	Code string
}

type dsOrderAddressWire struct {
	Address               string `json:"address"`
	Address2              string `json:"address2,omitempty"`
	City                  string `json:"city"`
	Province              string `json:"province"`
	Country               string `json:"country"`
	Zip                   string `json:"zip,omitempty"`
	ContactPerson         string `json:"contact_person,omitempty"`
	FullName              string `json:"full_name,omitempty"`
	MobileNo              string `json:"mobile_no,omitempty"`
	PhoneCountry          string `json:"phone_country,omitempty"`
	Locale                string `json:"locale,omitempty"`
	CPF                   string `json:"cpf,omitempty"`
	PassportNo            string `json:"passport_no,omitempty"`
	PassportNoDate        string `json:"passport_no_date,omitempty"`
	PassportOrganization  string `json:"passport_organization,omitempty"`
	TaxNumber             string `json:"tax_number,omitempty"`
	RutNo                 string `json:"rut_no,omitempty"`
	ForeignerPassportNo   string `json:"foreigner_passport_no,omitempty"`
	IsForeigner           string `json:"is_foreigner,omitempty"`
	VATNo                 string `json:"vat_no,omitempty"`
	TaxCompany            string `json:"tax_company,omitempty"`
	LocationTreeAddressID string `json:"location_tree_address_id,omitempty"`
}

type dsOrderItemWire struct {
	ProductID        int64  `json:"product_id"`
	ProductCount     int    `json:"product_count"`
	SKUAttr          string `json:"sku_attr"` // sent even when empty: "" names the only SKU
	LogisticsService string `json:"logistics_service_name,omitempty"`
	OrderMemo        string `json:"order_memo,omitempty"`
}

type dsPlaceOrderWire struct {
	OutOrderID       string             `json:"out_order_id,omitempty"`
	LogisticsAddress dsOrderAddressWire `json:"logistics_address"`
	ProductItems     []dsOrderItemWire  `json:"product_items"`
}

type dsExtendWire struct {
	Payment *struct {
		PayCurrency string `json:"pay_currency,omitempty"`
		TryToPay    string `json:"try_to_pay,omitempty"`
	} `json:"payment,omitempty"`
	Promotion *struct {
		Code        string `json:"promotion_code,omitempty"`
		ChannelInfo string `json:"promotion_channel_info,omitempty"`
		ActivityID  string `json:"promotion_activity_id,omitempty"`
	} `json:"promotion,omitempty"`
	TradeExtra *struct {
		BusinessModel   string            `json:"business_model,omitempty"`
		CustomizeSKUMap map[string]string `json:"customize_sku_map,omitempty"`
		NatAddr         string            `json:"nat_addr,omitempty"`
	} `json:"trade_extra_param,omitempty"`
}

type dsCreateOrderWire struct {
	IsSuccess flexBool      `json:"is_success"`
	OrderList list[flexInt] `json:"order_list"`
	ErrorCode flexString    `json:"error_code"`
	ErrorMsg  flexText      `json:"error_msg"`
}

const dsMethodCreateOrder = "aliexpress.ds.order.create"

// CreateOrder places an order (and pays it when o.TryToPay is set and the account allows). It calls
// aliexpress.ds.order.create. A refused order fails with ErrOrderRejected, its Code and Message
// holding the platform's reason (ErrDuplicateOrder, also an ErrOrderRejected, when o.OutOrderID was
// used already; after a retry this means the lost first attempt placed it). An order placed whose
// payment failed is a success whose Message says why.
//
// The call is retried after a transport failure only when o.OutOrderID is set: without it a retry
// could place the order twice, so the error is returned and the caller must look the order up
// before trying again.
func (s *DSService) CreateOrder(ctx context.Context, o *OrderRequest) (*OrderResult, *Response, error) {
	const m = dsMethodCreateOrder
	if o == nil {
		return nil, dsNoCall(m), dsInvalid(m, "OrderRequest", "is required")
	}
	params, err := CreateOrderParams(o)
	if err != nil {
		return nil, dsNoCall(m), err
	}
	x, err := s.client.do(ctx, &request{method: m, params: params, idempotent: strings.TrimSpace(o.OutOrderID) != "", session: true,
		businessKind: ErrOrderRejected})
	if err != nil {
		var e *Error
		if errors.As(err, &e) && e.Kind == ErrDuplicateOrder && x.resp.Attempts > 1 {
			e.Message += " (an earlier attempt of this call, whose answer was lost, placed the order)"
		}
		return nil, x.resp, err
	}
	path, raw := x.result()
	var w dsCreateOrderWire
	if err := x.decode(path, raw, &w); err != nil {
		return nil, x.resp, err
	}
	if !w.IsSuccess.set && w.OrderList.len() == 0 && w.ErrorCode.s != "" {
		// No is_success, no order, a reason: a refusal in an older shape.
		return nil, x.resp, x.platform(platformError(m, "ISV", w.ErrorCode.s, "", w.ErrorMsg.s, x.resp.RequestID, ErrOrderRejected))
	}
	res := &OrderResult{Message: w.ErrorMsg.s, Code: w.ErrorCode.s}
	for i, id := range w.OrderList.all() {
		if err := x.need(id.bad, func() string { return indexPath(joinPath(path, "order_list"), w.OrderList.index(i)) }); err != nil {
			return nil, x.resp, err
		}
		if id.v > 0 {
			res.OrderIDs = append(res.OrderIDs, id.v)
		}
	}
	if len(res.OrderIDs) == 0 {
		// The platform says the order exists but gives no ID: not an error to retry blindly.
		return nil, x.resp, x.required(joinPath(path, "order_list"),
			"order reported placed but the answer has no order ID; look the order up before placing it again")
	}
	return res, x.resp, nil
}

// CreateOrderParams checks an order locally and returns the business parameters CreateOrder
// sends for it (the method is aliexpress.ds.order.create): what a dry run shows. They never hold
// a credential: the app key, the session token, the timestamp and the signature are added when
// the request is sent.
func CreateOrderParams(o *OrderRequest) (map[string]string, error) {
	const m = dsMethodCreateOrder
	if o == nil {
		return nil, dsInvalid(m, "OrderRequest", "is required")
	}
	place, err := dsPlaceOrder(m, o)
	if err != nil {
		return nil, err
	}
	params := map[string]string{"param_place_order_request4_open_api_d_t_o": dsJSON(place)}
	if ext := dsExtend(o); ext != nil {
		params["ds_extend_request"] = dsJSON(ext)
	}
	return params, nil
}

// foreignerAsked are the countries whose orders must say whether the recipient is a foreigner.
var foreignerAsked = map[string]bool{"IL": true, "AR": true}

// dsPlaceOrder checks an order locally and builds param_place_order_request4_open_api_d_t_o.
func dsPlaceOrder(m string, o *OrderRequest) (*dsPlaceOrderWire, error) {
	a := o.Address
	trim := strings.TrimSpace
	for _, f := range []struct{ name, v string }{
		{"Address.Address", a.Address}, {"Address.City", a.City}, {"Address.Province", a.Province},
	} {
		if trim(f.v) == "" {
			return nil, dsInvalid(m, f.name, "is required")
		}
	}
	country, err := dsCountry(m, "Address.Country", a.Country, true)
	if err != nil {
		return nil, err
	}
	if trim(a.FullName) == "" && trim(a.ContactPerson) == "" {
		return nil, dsInvalid(m, "Address.FullName", "a recipient name (FullName or ContactPerson) is required")
	}
	if len(o.Items) == 0 {
		return nil, dsInvalid(m, "Items", "an order needs at least one item")
	}
	w := &dsPlaceOrderWire{OutOrderID: trim(o.OutOrderID)}
	for i, it := range o.Items {
		if it.ProductID <= 0 {
			return nil, dsInvalid(m, fmt.Sprintf("Items[%d].ProductID", i), "must be a positive product ID")
		}
		if it.Quantity <= 0 {
			return nil, dsInvalid(m, fmt.Sprintf("Items[%d].Quantity", i), "must be at least 1")
		}
		w.ProductItems = append(w.ProductItems, dsOrderItemWire{ProductID: it.ProductID, ProductCount: it.Quantity,
			SKUAttr: trim(it.SKUAttr), LogisticsService: trim(it.LogisticsService), OrderMemo: trim(it.Memo)})
	}
	w.LogisticsAddress = dsOrderAddressWire{
		Address: trim(a.Address), Address2: trim(a.Address2), City: trim(a.City), Province: trim(a.Province),
		Country: country, Zip: trim(a.Zip), ContactPerson: trim(a.ContactPerson), FullName: trim(a.FullName),
		MobileNo: trim(a.MobileNo), PhoneCountry: trim(a.PhoneCountry), Locale: trim(a.Locale), CPF: trim(a.CPF),
		PassportNo: trim(a.PassportNo), PassportNoDate: trim(a.PassportNoDate), PassportOrganization: trim(a.PassportOrganization),
		TaxNumber: trim(a.TaxNumber), RutNo: trim(a.RutNo), ForeignerPassportNo: trim(a.ForeignerPassportNo),
		VATNo: trim(a.VATNo), TaxCompany: trim(a.TaxCompany), LocationTreeAddressID: trim(a.LocationTreeAddressID),
	}
	switch {
	case a.IsForeigner:
		w.LogisticsAddress.IsForeigner = "true"
	case foreignerAsked[country]:
		w.LogisticsAddress.IsForeigner = "false"
	}
	return w, nil
}

// dsExtend builds ds_extend_request, or nil when the order sets none of its fields.
func dsExtend(o *OrderRequest) *dsExtendWire {
	var ext dsExtendWire
	used := false
	if o.PayCurrency != "" || o.TryToPay {
		ext.Payment = &struct {
			PayCurrency string `json:"pay_currency,omitempty"`
			TryToPay    string `json:"try_to_pay,omitempty"`
		}{PayCurrency: strings.ToUpper(strings.TrimSpace(o.PayCurrency)), TryToPay: dsBool(o.TryToPay)}
		used = true
	}
	if o.PromotionCode != "" || o.PromotionChannelInfo != "" || o.PromotionActivityID != "" {
		ext.Promotion = &struct {
			Code        string `json:"promotion_code,omitempty"`
			ChannelInfo string `json:"promotion_channel_info,omitempty"`
			ActivityID  string `json:"promotion_activity_id,omitempty"`
		}{o.PromotionCode, o.PromotionChannelInfo, o.PromotionActivityID}
		used = true
	}
	if o.BusinessModel != "" || len(o.CustomizeSKUMap) > 0 || o.NatAddr != "" {
		ext.TradeExtra = &struct {
			BusinessModel   string            `json:"business_model,omitempty"`
			CustomizeSKUMap map[string]string `json:"customize_sku_map,omitempty"`
			NatAddr         string            `json:"nat_addr,omitempty"`
		}{o.BusinessModel, o.CustomizeSKUMap, o.NatAddr}
		used = true
	}
	if !used {
		return nil
	}
	return &ext
}

// DSOrder is an order as aliexpress.trade.ds.order.get describes it.
type DSOrder struct {
	ID int64
	// Status is the order_status, e.g. PLACE_ORDER_SUCCESS (awaiting payment),
	// WAIT_SELLER_SEND_GOODS, WAIT_BUYER_ACCEPT_GOODS, FINISH, IN_CANCEL.
	Status string
	// LogisticsStatus is e.g. WAIT_SELLER_SEND_GOODS, SELLER_SEND_GOODS, BUYER_ACCEPT_GOODS.
	LogisticsStatus string
	Created         string // gmt_create as the platform writes it
	PaidAt          string // order_paidtime_string as the platform writes it
	// PayTimeout is how long after creation the order may be paid.
	PayTimeout time.Duration
	Amount     Money // order_amount
	UserAmount Money // user_order_amount: the amount in the account's pay currency
	Store      DSOrderStore
	// Logistics lists the tracking numbers (deprecated by the platform; prefer Tracking).
	Logistics []DSOrderLogistics
	Items     []DSOrderItem
}

// DSOrderStore is the seller of a DSOrder.
type DSOrderStore struct {
	ID   int64
	Name string
	URL  string
}

// DSOrderLogistics is one shipment of a DSOrder.
type DSOrderLogistics struct {
	TrackingNumber string
	Service        string
}

// DSOrderItem is one line (child order) of a DSOrder.
type DSOrderItem struct {
	ProductID          int64
	Name               string
	Quantity           int
	SKUID              string
	Price              Money // product_price: one unit
	SaleFee            Money
	SaleDiscount       Money
	ShippingFee        Money
	ShippingDiscount   Money
	ActualShippingFee  Money // shipping fee - shipping discount
	ActualTax          Money
	ActualFee          Money // sale fee - sale discount + actual shipping
	AlreadyIncludesTax bool
	PriceIncludesTax   bool
	EndReason          string // why the line ended, e.g. "CANCELED"
}

type dsAmountWire struct {
	Amount   flexMoney  `json:"amount"`
	Currency flexString `json:"currency_code"`
}

// money converts an amount; one that was not given or could not be read is the zero Money.
func (a dsAmountWire) money() Money {
	return a.Amount.money(strings.ToUpper(a.Currency.s))
}

type dsOrderWire struct {
	Status          flexString        `json:"order_status"`
	LogisticsStatus flexString        `json:"logistics_status"`
	Created         flexString        `json:"gmt_create"`
	PaidAt          flexString        `json:"order_paidtime_string"`
	PayTimeout      flexInt           `json:"pay_timeout_second"`
	Amount          obj[dsAmountWire] `json:"order_amount"`
	UserAmount      obj[dsAmountWire] `json:"user_order_amount"`
	Store           obj[struct {
		ID   flexInt    `json:"store_id"`
		Name flexText   `json:"store_name"`
		URL  flexString `json:"store_url"`
	}] `json:"store_info"`
	Logistics list[struct {
		No      flexString `json:"logistics_no"`
		Service flexString `json:"logistics_service"`
	}] `json:"logistics_info_list"`
	Children list[dsChildOrderWire] `json:"child_order_list"`
}

type dsChildOrderWire struct {
	ProductID          flexInt           `json:"product_id"`
	Name               flexText          `json:"product_name"`
	Count              flexInt           `json:"product_count"`
	SKUID              flexString        `json:"sku_id"`
	Price              obj[dsAmountWire] `json:"product_price"`
	SaleFee            obj[dsAmountWire] `json:"sale_fee"`
	SaleDiscount       obj[dsAmountWire] `json:"sale_discount_fee"`
	ShippingFee        obj[dsAmountWire] `json:"shipping_fee"`
	ShippingDiscount   obj[dsAmountWire] `json:"shipping_discount_fee"`
	ActualShippingFee  obj[dsAmountWire] `json:"actual_shipping_fee"`
	ActualTax          obj[dsAmountWire] `json:"actual_tax_fee"`
	ActualFee          obj[dsAmountWire] `json:"actual_fee"`
	AlreadyIncludesTax flexBool          `json:"already_include_tax"`
	PriceIncludesTax   flexBool          `json:"price_include_tax"`
	EndReason          flexString        `json:"end_reason"`
}

const dsMethodOrder = "aliexpress.trade.ds.order.get"

// Order returns an order placed by the user: status, amounts, lines and store. It calls
// aliexpress.trade.ds.order.get (orders can be read about ten seconds after they are placed).
func (s *DSService) Order(ctx context.Context, orderID int64) (*DSOrder, *Response, error) {
	const m = dsMethodOrder
	if orderID <= 0 {
		return nil, dsNoCall(m), dsInvalid(m, "orderID", "must be a positive order ID")
	}
	params := map[string]string{"single_order_query": dsJSON(struct {
		OrderID int64 `json:"order_id"`
	}{orderID})}
	x, err := s.client.do(ctx, &request{method: m, params: params, idempotent: true, session: true})
	if err != nil {
		return nil, x.resp, err
	}
	o, err := dsDecodeOrder(x)
	if err != nil {
		return nil, x.resp, err
	}
	o.ID = orderID
	return o, x.resp, nil
}

// dsDecodeOrder reads the result of trade.ds.order.get. Every field is optional: the order is the
// one asked for, and what cannot be read is left empty and reported.
func dsDecodeOrder(x *reply) (*DSOrder, error) {
	path, raw := x.result()
	var w dsOrderWire
	if err := x.decode(path, raw, &w); err != nil {
		return nil, err
	}
	st := w.Store.v
	o := &DSOrder{Status: w.Status.s, LogisticsStatus: w.LogisticsStatus.s, Created: w.Created.s,
		PaidAt: w.PaidAt.s, PayTimeout: time.Duration(w.PayTimeout.v) * time.Second,
		Amount: w.Amount.v.money(), UserAmount: w.UserAmount.v.money(),
		Store: DSOrderStore{ID: st.ID.v, Name: st.Name.s, URL: st.URL.s}}
	for _, l := range w.Logistics.all() {
		o.Logistics = append(o.Logistics, DSOrderLogistics{TrackingNumber: l.No.s, Service: l.Service.s})
	}
	for _, c := range w.Children.all() {
		o.Items = append(o.Items, DSOrderItem{ProductID: c.ProductID.v, Name: c.Name.s, Quantity: int(c.Count.v), SKUID: c.SKUID.s,
			Price: c.Price.v.money(), SaleFee: c.SaleFee.v.money(), SaleDiscount: c.SaleDiscount.v.money(),
			ShippingFee: c.ShippingFee.v.money(), ShippingDiscount: c.ShippingDiscount.v.money(),
			ActualShippingFee: c.ActualShippingFee.v.money(), ActualTax: c.ActualTax.v.money(), ActualFee: c.ActualFee.v.money(),
			AlreadyIncludesTax: c.AlreadyIncludesTax.v, PriceIncludesTax: c.PriceIncludesTax.v, EndReason: c.EndReason.s})
	}
	return o, nil
}

// TrackingOptions are the parameters of DSService.Tracking besides the order ID.
type TrackingOptions struct {
	// Language of the event texts; default "en_US".
	Language string
}

// TrackingInfo is the shipment tracking of an order: one package per parcel.
type TrackingInfo struct {
	Packages []TrackingPackage
}

// TrackingPackage is one parcel of an order.
type TrackingPackage struct {
	Carrier        string
	TrackingNumber string // mail_no
	// ETA is the estimated delivery time; zero when unknown.
	ETA    time.Time
	Events []TrackingEvent // in the platform's order (newest first, as a rule)
	Items  []TrackedItem
}

// TrackingEvent is one step of a parcel's journey.
type TrackingEvent struct {
	Time        time.Time
	Name        string
	Description string
}

// TrackedItem is an order line in a parcel.
type TrackedItem struct {
	ItemID   int64
	SKUID    string
	SKUDesc  string
	Quantity int
	Title    string
}

type dsTrackingWire struct {
	Data obj[struct {
		Lines list[struct {
			Carrier flexText   `json:"carrier_name"`
			MailNo  flexString `json:"mail_no"`
			ETA     flexMillis `json:"eta_time_stamps"`
			Nodes   list[struct {
				Time flexMillis `json:"time_stamp"`
				Name flexText   `json:"tracking_name"`
				Desc flexText   `json:"tracking_detail_desc"`
			}] `json:"detail_node_list"`
			Items list[struct {
				ItemID   flexInt    `json:"item_id"`
				SKUID    flexString `json:"sku_id"`
				SKUDesc  flexText   `json:"sku_desc"`
				Quantity flexInt    `json:"quantity"`
				Title    flexText   `json:"item_title"`
			}] `json:"package_item_list"`
		}] `json:"tracking_detail_line_list"`
	}] `json:"data"`
}

const dsMethodTracking = "aliexpress.ds.order.tracking.get"

// Tracking returns the parcels of an order with their tracking events. It calls
// aliexpress.ds.order.tracking.get. An order with no tracking yet fails with ErrTrackingNotFound.
func (s *DSService) Tracking(ctx context.Context, orderID int64, opts *TrackingOptions) (*TrackingInfo, *Response, error) {
	const m = dsMethodTracking
	if orderID <= 0 {
		return nil, dsNoCall(m), dsInvalid(m, "orderID", "must be a positive order ID")
	}
	if opts == nil {
		opts = &TrackingOptions{}
	}
	params := map[string]string{"ae_order_id": strconv.FormatInt(orderID, 10), "language": dsDefault(opts.Language, "en_US")}
	x, err := s.client.do(ctx, &request{method: m, params: params, idempotent: true, session: true})
	if err != nil {
		return nil, x.resp, dsRefine(err)
	}
	path, raw := x.result()
	var w dsTrackingWire
	if err := x.decode(path, raw, &w); err != nil {
		return nil, x.resp, err
	}
	info := &TrackingInfo{}
	for _, l := range w.Data.v.Lines.all() {
		p := TrackingPackage{Carrier: l.Carrier.s, TrackingNumber: l.MailNo.s, ETA: l.ETA.time()}
		for _, n := range l.Nodes.all() {
			p.Events = append(p.Events, TrackingEvent{Time: n.Time.time(), Name: n.Name.s, Description: n.Desc.s})
		}
		for _, it := range l.Items.all() {
			p.Items = append(p.Items, TrackedItem{ItemID: it.ItemID.v, SKUID: it.SKUID.s, SKUDesc: it.SKUDesc.s,
				Quantity: int(it.Quantity.v), Title: it.Title.s})
		}
		info.Packages = append(info.Packages, p)
	}
	if len(info.Packages) == 0 {
		return nil, x.resp, &Error{Method: m, Kind: ErrTrackingNotFound, RequestID: x.resp.RequestID, Message: "no tracking lines in the answer"}
	}
	return info, x.resp, nil
}

// OrderData reports a sale made off AliExpress that an order fulfils ("data reflow").
type OrderData struct {
	OrderID       int64 // the AliExpress order ID
	ProductID     int64
	SKUInfo       string // e.g. "200000182:193;200007763:201336100"
	ProductAmount Money  // what the end customer paid for the product
	OrderAmount   Money  // what the end customer paid in all
	PaidAt        time.Time
	ProductURL    string // where the customer bought it
}

const dsMethodSubmitOrderData = "aliexpress.ds.member.orderdata.submit"

// SubmitOrderData reports the off-AliExpress sale behind an order, as the platform asks of
// dropshipping apps. It calls aliexpress.ds.member.orderdata.submit. It is not retried: a report
// sent twice may be counted twice.
func (s *DSService) SubmitOrderData(ctx context.Context, d *OrderData) (*Response, error) {
	const m = dsMethodSubmitOrderData
	if d == nil {
		return dsNoCall(m), dsInvalid(m, "OrderData", "is required")
	}
	if d.OrderID <= 0 {
		return dsNoCall(m), dsInvalid(m, "OrderID", "must be a positive order ID")
	}
	if d.ProductID <= 0 {
		return dsNoCall(m), dsInvalid(m, "ProductID", "must be a positive product ID")
	}
	if d.OrderAmount.Amount <= 0 {
		return dsNoCall(m), dsInvalid(m, "OrderAmount", "must be positive")
	}
	if d.ProductAmount.Amount < 0 {
		return dsNoCall(m), dsInvalid(m, "ProductAmount", "must not be negative")
	}
	if d.PaidAt.IsZero() {
		return dsNoCall(m), dsInvalid(m, "PaidAt", "is required")
	}
	params := map[string]string{
		"ae_orderid":     strconv.FormatInt(d.OrderID, 10),
		"ae_product_id":  strconv.FormatInt(d.ProductID, 10),
		"ae_sku_info":    strings.TrimSpace(d.SKUInfo),
		"product_amount": dsTwoDecimals(d.ProductAmount),
		"order_amount":   dsTwoDecimals(d.OrderAmount),
		"product_url":    strings.TrimSpace(d.ProductURL),
		"paytime":        d.PaidAt.UTC().Format("20060102:150405"),
	}
	return s.boolCall(ctx, m, params, false)
}

// dsTwoDecimals writes an amount with two decimals, as orderdata.submit wants it.
func dsTwoDecimals(m Money) string {
	if m.IsZero() {
		return ""
	}
	d := MinorUnits(m.Currency)
	a := m.Amount
	for ; d > 2; d-- {
		a = (a + 5) / 10
	}
	for ; d < 2; d++ {
		a *= 10
	}
	return Money{Amount: a, Currency: "USD"}.Decimal()
}

// DropshipperInfo describes the dropshipper's own store, for DSService.AddInfo.
type DropshipperInfo struct {
	StoreURL     string
	ExtendInfo   string
	AppSignature string
}

const dsMethodAddInfo = "aliexpress.ds.add.info"

// AddInfo reports the dropshipper's downstream store to the platform. It calls
// aliexpress.ds.add.info. It is not retried after a transport failure.
func (s *DSService) AddInfo(ctx context.Context, info *DropshipperInfo) (*Response, error) {
	const m = dsMethodAddInfo
	if info == nil || strings.TrimSpace(info.StoreURL) == "" {
		return dsNoCall(m), dsInvalid(m, "StoreURL", "is required")
	}
	param0 := dsJSON(struct {
		StoreURL     string `json:"store_url"`
		ExtendInfo   string `json:"extend_info,omitempty"`
		AppSignature string `json:"app_signature,omitempty"`
	}{strings.TrimSpace(info.StoreURL), info.ExtendInfo, info.AppSignature})
	return s.boolCall(ctx, m, map[string]string{"param0": param0}, false)
}

// boolCall makes a call whose result is a boolean, in either status family.
func (s *DSService) boolCall(ctx context.Context, m string, params map[string]string, idempotent bool) (*Response, error) {
	x, err := s.client.do(ctx, &request{method: m, params: params, idempotent: idempotent, session: true})
	if err != nil {
		return x.resp, err
	}
	path, raw := x.result()
	var ok flexBool
	if err := x.decode(path, raw, &ok); err != nil {
		return x.resp, err
	}
	if err := x.need(ok.bad, func() string { return path }); err != nil {
		return x.resp, err
	}
	if !ok.v {
		return x.resp, &Error{Method: m, Kind: ErrAPI, Message: "the platform answered result=false", RequestID: x.resp.RequestID}
	}
	return x.resp, nil
}

// MemberBenefit is a dropshipping benefit of the user's account, e.g. "auto-pay".
type MemberBenefit struct {
	Code       string
	Title      string
	CanApply   bool // the account may apply for it
	CanBenefit bool // the account has it
}

const dsMethodMemberBenefits = "aliexpress.ds.member.benefit.get"

// MemberBenefits lists the user's dropshipping benefits (whether auto-pay is available, for
// instance). It calls aliexpress.ds.member.benefit.get.
func (s *DSService) MemberBenefits(ctx context.Context) ([]MemberBenefit, *Response, error) {
	const m = dsMethodMemberBenefits
	x, err := s.client.do(ctx, &request{method: m, params: map[string]string{}, idempotent: true, session: true})
	if err != nil {
		return nil, x.resp, err
	}
	path, raw := x.result()
	var w list[struct {
		Code       flexString `json:"code"`
		Title      flexText   `json:"title"`
		CanApply   flexBool   `json:"canApply"`
		CanBenefit flexBool   `json:"canBenefit"`
	}]
	if err := x.decode(path, raw, &w); err != nil {
		return nil, x.resp, err
	}
	out := make([]MemberBenefit, 0, w.len())
	for _, b := range w.all() {
		out = append(out, MemberBenefit{Code: b.Code.s, Title: b.Title.s, CanApply: b.CanApply.v, CanBenefit: b.CanBenefit.v})
	}
	return out, x.resp, nil
}
