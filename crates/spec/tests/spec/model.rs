//! The normalized model: implicit fields, defaults, inferred inverse sides, declaration order.

use specforge_spec::model::{FieldType, OnDelete, Operation, RelationKind};

use super::{clean, yaml};

const SHOP: &str = r#"specforge: 1
name: shop
auth:
  roles: [admin, clerk]
enums:
  Status: { description: Where an order is, values: [open, paid, shipped] }
entities:
  Customer:
    fields:
      email: { type: email, required: true, unique: true }
      name: string
  Order:
    fields:
      status: { type: Status, default: open }
      total: { type: decimal, min: 0 }
      note: { type: text, description: Free text }
    relations:
      customer: { to: Customer, required: true, on_delete: cascade }
      items: { to: Product, kind: many_to_many }
    operations: [get, list, create]
    list: { filters: [status, customer], sort: [total, created_at], page_size: 50 }
    permissions: { create: [admin, clerk], list: admin }
  Product:
    timestamps: false
    fields:
      sku: { type: string, pattern: "^[A-Z0-9]{8}$", required: true }
      price: { type: decimal, precision: 10, scale: 2, default: 9.99 }
      stock: { type: integer, min: 0, default: 0 }
      attributes: { type: json, default: { colour: red } }
"#;

#[test]
fn implicit_fields_surround_the_declared_ones() {
    let a = yaml(SHOP);
    clean(&a);
    let model = a.model.expect("valid");
    let order = model.entity("Order").expect("Order");
    let names: Vec<&str> = order.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        ["id", "status", "total", "note", "created_at", "updated_at"]
    );
    let id = &order.fields[0];
    assert!(id.primary_key && id.implicit && id.required && id.unique);
    assert_eq!(id.ty, FieldType::Uuid);
    let product = model.entity("Product").expect("Product");
    let names: Vec<&str> = product.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        ["id", "sku", "price", "stock", "attributes"],
        "timestamps: false"
    );
}

#[test]
fn types_constraints_and_defaults_are_resolved() {
    let model = yaml(SHOP).model.expect("valid");
    let order = model.entity("Order").expect("Order");
    let status = order.field("status").expect("status");
    assert_eq!(status.ty, FieldType::Enum("Status".into()));
    assert_eq!(status.default, Some(serde_json::json!("open")));
    let total = order.field("total").expect("total");
    assert_eq!(total.constraints.precision, Some(18));
    assert_eq!(total.constraints.scale, Some(2));
    assert_eq!(total.constraints.min, Some(0.into()));
    let customer = model.entity("Customer").expect("Customer");
    assert_eq!(
        customer
            .field("email")
            .and_then(|f| f.constraints.max_length),
        Some(254)
    );
    assert_eq!(
        customer
            .field("name")
            .and_then(|f| f.constraints.max_length),
        Some(255)
    );
    let product = model.entity("Product").expect("Product");
    assert_eq!(
        product.field("price").and_then(|f| f.default.clone()),
        Some(serde_json::json!("9.99"))
    );
    assert_eq!(
        product.field("attributes").and_then(|f| f.default.clone()),
        Some(serde_json::json!({"colour": "red"}))
    );
    assert_eq!(
        model.enum_("Status").map(|e| e.values.clone()),
        Some(vec!["open".into(), "paid".into(), "shipped".into()])
    );
}

#[test]
fn inverse_sides_are_inferred_with_their_kinds() {
    let model = yaml(SHOP).model.expect("valid");
    let customer = model.entity("Customer").expect("Customer");
    let orders = customer.relation("orders").expect("inferred orders");
    assert_eq!(orders.kind, RelationKind::OneToMany);
    assert!(orders.inferred && !orders.owner);
    assert_eq!(orders.inverse.as_deref(), Some("customer"));
    let order = model.entity("Order").expect("Order");
    let c = order.relation("customer").expect("customer");
    assert_eq!(
        (c.kind, c.required, c.on_delete, c.owner),
        (RelationKind::ManyToOne, true, OnDelete::Cascade, true)
    );
    assert_eq!(c.inverse.as_deref(), Some("orders"));
    let product = model.entity("Product").expect("Product");
    let back = product.relation("orders").expect("inferred m2m side");
    assert_eq!(back.kind, RelationKind::ManyToMany);
    assert!(!back.owner);
    assert_eq!(model.summary().relations, 2);
}

#[test]
fn two_relations_to_one_entity_get_distinct_inferred_names() {
    let a = yaml(
        "specforge: 1\nname: mail\nentities:\n  User:\n    fields:\n      email: email\n  Message:\n    fields:\n      body: text\n    relations:\n      sender: { to: User, required: true }\n      recipient: User\n",
    );
    clean(&a);
    let model = a.model.expect("valid");
    let user = model.entity("User").expect("User");
    let names: Vec<&str> = user.relations.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["messages_as_sender", "messages_as_recipient"]);
    let recipient = model
        .entity("Message")
        .and_then(|m| m.relation("recipient"))
        .expect("recipient");
    assert_eq!(
        recipient.on_delete,
        OnDelete::SetNull,
        "optional relations default to set_null"
    );
}

#[test]
fn a_one_to_many_without_its_other_side_creates_the_foreign_key() {
    let a = yaml(
        "specforge: 1\nname: blog\nentities:\n  Post:\n    fields:\n      title: string\n    relations:\n      comments: { to: Comment, kind: one_to_many }\n  Comment:\n    fields:\n      body: text\n",
    );
    clean(&a);
    let model = a.model.expect("valid");
    let post = model
        .entity("Post")
        .and_then(|p| p.relation("comments"))
        .expect("comments");
    assert!(!post.owner);
    let back = model
        .entity("Comment")
        .and_then(|c| c.relation("post"))
        .expect("inferred post");
    assert_eq!(
        (back.kind, back.owner, back.inferred),
        (RelationKind::ManyToOne, true, true)
    );
}

#[test]
fn list_options_operations_and_permissions_are_normalized() {
    let model = yaml(SHOP).model.expect("valid");
    let order = model.entity("Order").expect("Order");
    assert_eq!(
        order.operations,
        [Operation::List, Operation::Get, Operation::Create]
    );
    assert_eq!(order.list.filters, ["status", "customer"]);
    assert_eq!(order.list.sort, ["total", "created_at"]);
    assert_eq!(order.list.page_size, 50);
    assert_eq!(
        order.permissions.create.as_deref(),
        Some(&["admin".to_string(), "clerk".to_string()][..])
    );
    assert_eq!(
        order.permissions.list.as_deref(),
        Some(&["admin".to_string()][..])
    );
    assert_eq!(order.permissions.delete, None);
    let customer = model.entity("Customer").expect("Customer");
    assert_eq!(customer.operations.len(), 5);
    assert_eq!(customer.list.page_size, 20);
}

#[test]
fn the_model_round_trips_through_json() {
    let model = yaml(SHOP).model.expect("valid");
    let text = serde_json::to_string(&model).expect("serialize");
    let back: specforge_spec::Model = serde_json::from_str(&text).expect("deserialize");
    assert_eq!(back, model);
}

#[test]
fn a_one_to_one_declared_on_both_sides_puts_the_key_where_its_options_are() {
    let a = yaml(
        "specforge: 1\nname: app\nentities:\n  User:\n    fields:\n      email: email\n    relations:\n      profile: { to: Profile, kind: one_to_one }\n  Profile:\n    fields:\n      bio: text\n      user_code: string\n    relations:\n      user: { to: User, kind: one_to_one, required: true, on_delete: cascade }\n    list: { filters: [user] }\n",
    );
    clean(&a);
    let model = a.model.expect("valid");
    let user = model
        .entity("Profile")
        .and_then(|p| p.relation("user"))
        .expect("user");
    assert!(user.owner && user.required);
    assert_eq!(user.on_delete, OnDelete::Cascade);
    let profile = model
        .entity("User")
        .and_then(|u| u.relation("profile"))
        .expect("profile");
    assert!(!profile.owner && !profile.required);
    assert_eq!(profile.inverse.as_deref(), Some("user"));
    assert_eq!(model.summary().relations, 1);
}
