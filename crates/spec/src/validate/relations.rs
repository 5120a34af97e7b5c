//! Relations: parsing, pairing both sides, inferring missing inverse sides, and required cycles.

use crate::diagnostic::{Code, pointer};
use crate::hash::{FastMap as HashMap, FastSet as HashSet};
use crate::limits::MAX_NAME_BYTES;
use crate::model::{Entity, OnDelete, Operation, Relation, RelationKind};
use crate::names::{self, collision_key, did_you_mean, suggest};
use crate::node::{Entry, Value};
use crate::span::Span;

use super::entities::entity_fields;
use super::{EntityDecl, Scope, Validator};

const RELATION_KEYS: &[&str] = &[
    "to",
    "kind",
    "required",
    "on_delete",
    "mapped_by",
    "description",
];

/// A declared relation with where it was written.
pub(crate) struct RelationDecl {
    pub(crate) name: String,
    /// The name's collision key (see [`crate::names::collision_key`]).
    pub(crate) key: String,
    pub(crate) key_span: Span,
    pub(crate) path: String,
    pub(crate) kind: RelationKind,
    pub(crate) target: String,
    /// Whether `target` names a declared entity.
    pub(crate) target_ok: bool,
    pub(crate) target_span: Span,
    pub(crate) required: bool,
    pub(crate) on_delete: Option<OnDelete>,
    pub(crate) mapped_by: Option<(String, Span)>,
    pub(crate) description: Option<String>,
}

impl Validator<'_, '_> {
    pub(crate) fn relation(
        &mut self,
        e: &Entry,
        base: &str,
        scope: &Scope,
    ) -> Option<RelationDecl> {
        let name = &e.key.name;
        let path = pointer(base, name);
        // Leave room for the `_id` suffix of the foreign-key column.
        let name_ok =
            self.check_name_limit(name, e.key.span, &path, "relation", MAX_NAME_BYTES - 3);
        let mut decl = RelationDecl {
            name: name.clone(),
            key: collision_key(name),
            key_span: e.key.span,
            path: path.clone(),
            kind: RelationKind::ManyToOne,
            target: String::new(),
            target_ok: false,
            target_span: e.key.span,
            required: false,
            on_delete: None,
            mapped_by: None,
            description: None,
        };
        let (to_node, to_path) = match &e.value.value {
            Value::Str(_) => (Some(&e.value), path.clone()),
            Value::Map(m) => {
                self.check_keys(m, RELATION_KEYS, &path, "a relation");
                match e.value.get("to") {
                    Some(t) => (Some(t), pointer(&path, "to")),
                    None => {
                        self.error_hint(
                            Code::MissingKey,
                            e.key.span,
                            &path,
                            format!("relation `{name}` has no `to`"),
                            Some("add `to: EntityName`".into()),
                        );
                        (None, path.clone())
                    }
                }
            }
            v => {
                self.error_hint(
                    Code::InvalidValue,
                    e.value.span,
                    &path,
                    format!(
                        "relation `{name}` must be an entity name or a mapping, not {}",
                        v.kind_name()
                    ),
                    Some(format!(
                        "write `{name}: Entity` or `{name}: {{ to: Entity, kind: many_to_one }}`"
                    )),
                );
                return None;
            }
        };
        if let Some(t) = to_node {
            decl.target_span = t.span;
            if let Some(target) = self.string(t, &to_path, "`to`") {
                if scope.is_entity(&target) {
                    decl.target_ok = true;
                } else {
                    let hint = if scope.enums.contains_key(&target) {
                        Some(format!(
                            "`{target}` is an enum: declare a field `{{ type: {target} }}` under `fields`"
                        ))
                    } else {
                        did_you_mean(suggest(&target, scope.entities.iter().map(String::as_str)))
                            .or_else(|| {
                                (!scope.entities.is_empty())
                                    .then(|| format!("entities: {}", scope.entities.join(", ")))
                            })
                    };
                    self.error_hint(
                        Code::UnknownEntity,
                        t.span,
                        &to_path,
                        format!(
                            "relation `{name}` points to `{target}`, which is not a declared entity"
                        ),
                        hint,
                    );
                }
                decl.target = target;
            }
        }
        if let Some(k) = e.value.get("kind") {
            let kp = pointer(&path, "kind");
            if let Some(kind) = self.string(k, &kp, "`kind`") {
                match RelationKind::parse(&kind) {
                    Some(kd) => decl.kind = kd,
                    None => self.error_hint(
                        Code::InvalidValue,
                        k.span,
                        &kp,
                        format!("unknown relation kind `{kind}`"),
                        did_you_mean(suggest(&kind, RelationKind::NAMES.iter().copied())).or_else(
                            || Some(format!("kinds are: {}", RelationKind::NAMES.join(", "))),
                        ),
                    ),
                }
            }
        }
        if let Some(m) = e.value.get("mapped_by") {
            let mp = pointer(&path, "mapped_by");
            if let Some(mapped) = self.string(m, &mp, "`mapped_by`") {
                if decl.kind == RelationKind::ManyToOne {
                    self.error_hint(
                        Code::InvalidValue,
                        m.span,
                        &mp,
                        "`mapped_by` does not apply to a many_to_one relation",
                        Some("a many_to_one always holds the foreign key; put `mapped_by` on the one_to_many side".into()),
                    );
                } else {
                    decl.mapped_by = Some((mapped, m.span));
                }
            }
        }
        if let Some(r) = e.value.get("required") {
            let rp = pointer(&path, "required");
            if let Some(required) = self.boolean(r, &rp, "`required`") {
                if decl.kind.is_to_one() && decl.mapped_by.is_none() {
                    decl.required = required;
                } else if required {
                    let key_span = e
                        .value
                        .as_map()
                        .and_then(|m| m.iter().find(|x| x.key.name == "required"))
                        .map_or(r.span, |x| x.key.span);
                    let (what, hint) = if decl.kind.is_to_one() {
                        (
                            "the side of a one_to_one with `mapped_by`".to_string(),
                            "only the side that holds the foreign key can be required; put `required` on the other side",
                        )
                    } else {
                        (
                            format!("a {} relation", decl.kind.as_str()),
                            "a to-many side can always be empty; make the other side's many_to_one required instead",
                        )
                    };
                    self.error_hint(
                        Code::InapplicableConstraint,
                        key_span,
                        &rp,
                        format!("`required` does not apply to {what}"),
                        Some(hint.into()),
                    );
                }
            }
        }
        if let Some(d) = e.value.get("on_delete") {
            let dp = pointer(&path, "on_delete");
            if let Some(action) = self.string(d, &dp, "`on_delete`") {
                match OnDelete::parse(&action) {
                    None => self.error_hint(
                        Code::InvalidValue,
                        d.span,
                        &dp,
                        format!("unknown on_delete action `{action}`"),
                        did_you_mean(suggest(&action, OnDelete::NAMES.iter().copied()))
                            .or_else(|| Some(format!("actions are: {}", OnDelete::NAMES.join(", ")))),
                    ),
                    Some(_) if !decl.kind.is_to_one() || decl.mapped_by.is_some() => self.error_hint(
                        Code::InvalidOnDelete,
                        d.span,
                        &dp,
                        format!("`on_delete` does not apply to the {} side of a relation", decl.kind.as_str()),
                        Some("put `on_delete` on the side that holds the foreign key (the many_to_one)".into()),
                    ),
                    Some(OnDelete::SetNull) if decl.required => self.error_hint(
                        Code::InvalidOnDelete,
                        d.span,
                        &dp,
                        format!("`on_delete: set_null` cannot work on the required relation `{name}`"),
                        Some("use `cascade` or `restrict`, or make the relation optional".into()),
                    ),
                    Some(action) => decl.on_delete = Some(action),
                }
            }
        }
        if let Some(d) = e.value.get("description") {
            decl.description = self.string(d, &pointer(&path, "description"), "`description`");
        }
        name_ok.then_some(decl)
    }
}

/// One side of a relation during resolution: `(entity index, relation index)`.
type Side = (usize, usize);

/// Pairs both sides of every relation, infers the missing ones, and builds the model entities.
// Sides are (entity, relation) index pairs into several parallel tables; indexing reads best.
#[allow(clippy::needless_range_loop)]
pub(crate) fn resolve(
    validator: &mut Validator<'_, '_>,
    decls: &mut [EntityDecl<'_>],
    _scope: &Scope,
) -> Vec<Entity> {
    let index: HashMap<&str, usize> = decls
        .iter()
        .enumerate()
        .map(|(i, d)| (d.name.as_str(), i))
        .collect();
    let mut rels: Vec<Vec<Relation>> = decls
        .iter()
        .map(|d| {
            d.relations
                .iter()
                .map(|r| Relation {
                    name: r.name.clone(),
                    kind: r.kind,
                    target: r.target.clone(),
                    required: r.required,
                    on_delete: if r.kind.is_to_one() && r.mapped_by.is_none() {
                        r.on_delete.unwrap_or(if r.required {
                            OnDelete::Restrict
                        } else {
                            OnDelete::SetNull
                        })
                    } else {
                        OnDelete::NoAction
                    },
                    owner: r.mapped_by.is_none() && r.kind != RelationKind::OneToMany,
                    inverse: None,
                    inferred: false,
                    description: r.description.clone(),
                })
                .collect()
        })
        .collect();
    let mut partner: HashMap<Side, Side> = HashMap::default();
    let target_of = |decls: &[EntityDecl<'_>], (e, r): Side| -> Option<usize> {
        let rel = &decls[e].relations[r];
        if rel.target_ok {
            index.get(rel.target.as_str()).copied()
        } else {
            None
        }
    };

    // 1. Explicit `mapped_by`.
    for e in 0..decls.len() {
        for r in 0..decls[e].relations.len() {
            let Some((mapped, span)) = decls[e].relations[r].mapped_by.clone() else {
                continue;
            };
            let Some(t) = target_of(decls, (e, r)) else {
                continue;
            };
            let this = &decls[e].relations[r];
            let path = pointer(&this.path, "mapped_by");
            let Some(o) = decls[t].relations.iter().position(|x| x.name == mapped) else {
                let back: Vec<&str> = decls[t]
                    .relations
                    .iter()
                    .filter(|x| x.target == decls[e].name)
                    .map(|x| x.name.as_str())
                    .collect();
                let hint = did_you_mean(suggest(&mapped, back.iter().copied())).or_else(|| {
                    if back.is_empty() {
                        Some(format!(
                            "`{}` has no relation back to `{}`; remove `mapped_by` to let specforge create it",
                            decls[t].name, decls[e].name
                        ))
                    } else {
                        Some(format!("relations of `{}` back to `{}`: {}", decls[t].name, decls[e].name, back.join(", ")))
                    }
                });
                validator.error_hint(
                    Code::UnknownMappedBy,
                    span,
                    &path,
                    format!(
                        "`mapped_by: {mapped}` names no relation of `{}`",
                        decls[t].name
                    ),
                    hint,
                );
                continue;
            };
            let other = &decls[t].relations[o];
            let expected = match this.kind {
                RelationKind::OneToMany => RelationKind::ManyToOne,
                k => k,
            };
            let problem = if other.target != decls[e].name {
                Some(format!(
                    "`{}.{}` points to `{}`, not back to `{}`",
                    decls[t].name, other.name, other.target, decls[e].name
                ))
            } else if other.kind != expected {
                Some(format!(
                    "`{}.{}` is a {} relation; the other side of a {} must be a {}",
                    decls[t].name,
                    other.name,
                    other.kind.as_str(),
                    this.kind.as_str(),
                    expected.as_str()
                ))
            } else if other.mapped_by.is_some() {
                Some(format!(
                    "`{}.{}` has `mapped_by` too; exactly one side owns the relation",
                    decls[t].name, other.name
                ))
            } else if (t, o) == (e, r) {
                Some("a relation cannot be its own inverse".to_string())
            } else if let Some(&(pe, pr)) = partner.get(&(t, o)) {
                Some(format!(
                    "`{}.{}` is already the other side of `{}.{}`",
                    decls[t].name, other.name, decls[pe].name, decls[pe].relations[pr].name
                ))
            } else {
                None
            };
            match problem {
                Some(msg) => validator.error(Code::MappedByMismatch, span, &path, msg),
                None => {
                    partner.insert((e, r), (t, o));
                    partner.insert((t, o), (e, r));
                }
            }
        }
    }

    // 2. Sides declared without `mapped_by` that find their other side, in declaration order.
    for e in 0..decls.len() {
        for r in 0..decls[e].relations.len() {
            if partner.contains_key(&(e, r)) || decls[e].relations[r].mapped_by.is_some() {
                continue;
            }
            let Some(t) = target_of(decls, (e, r)) else {
                continue;
            };
            let kind = decls[e].relations[r].kind;
            let wanted = kind.inverse();
            let candidates: Vec<usize> = (0..decls[t].relations.len())
                .filter(|&o| {
                    let x = &decls[t].relations[o];
                    (t, o) != (e, r)
                        && x.kind == wanted
                        && x.target == decls[e].name
                        && x.mapped_by.is_none()
                        && !partner.contains_key(&(t, o))
                })
                .collect();
            // Self-relations are never paired implicitly: `manager` and `reports` of one entity
            // could as well be two independent relations.
            if t == e {
                continue;
            }
            match (kind, candidates.as_slice()) {
                (RelationKind::OneToMany, [o]) | (RelationKind::ManyToOne, [o]) => {
                    partner.insert((e, r), (t, *o));
                    partner.insert((t, *o), (e, r));
                }
                (RelationKind::OneToMany, []) => {}
                (RelationKind::OneToMany, many) => {
                    let names: Vec<&str> = many
                        .iter()
                        .map(|&o| decls[t].relations[o].name.as_str())
                        .collect();
                    let this = &decls[e].relations[r];
                    validator.error_hint(
                        Code::MissingKey,
                        this.key_span,
                        &this.path,
                        format!(
                            "relation `{}` needs `mapped_by`: `{}` has several relations back to `{}`",
                            this.name, decls[t].name, decls[e].name
                        ),
                        Some(format!("add `mapped_by:` with one of {}", names.join(", "))),
                    );
                }
                (RelationKind::ManyToMany, [o, ..]) if r_declared_first((e, r), (t, *o)) => {
                    partner.insert((e, r), (t, *o));
                    partner.insert((t, *o), (e, r));
                    // The side declared second becomes the inverse.
                    rels[t][*o].owner = false;
                }
                (RelationKind::OneToOne, [o, ..]) if r_declared_first((e, r), (t, *o)) => {
                    // The foreign key goes to the side that says something about it.
                    let fk_options = |d: &RelationDecl| d.required || d.on_delete.is_some();
                    let (first, second) = (&decls[e].relations[r], &decls[t].relations[*o]);
                    let inverse = match (fk_options(first), fk_options(second)) {
                        (true, true) => {
                            validator.error_hint(
                                Code::MissingKey,
                                second.key_span,
                                &second.path,
                                format!(
                                    "both sides of the one_to_one `{}.{}` / `{}.{}` set `required` or `on_delete`; only one can hold the foreign key",
                                    decls[e].name, first.name, decls[t].name, second.name
                                ),
                                Some(format!(
                                    "add `mapped_by: {}` to `{}.{}` and drop its `required`/`on_delete`",
                                    second.name, decls[e].name, first.name
                                )),
                            );
                            // Go on as if the first side owned the key, so that this one
                            // mistake is not reported again as a required cycle.
                            (t, *o)
                        }
                        (false, true) => (e, r),
                        _ => (t, *o),
                    };
                    partner.insert((e, r), (t, *o));
                    partner.insert((t, *o), (e, r));
                    let (ie, ir) = inverse;
                    rels[ie][ir].owner = false;
                    rels[ie][ir].required = false;
                    rels[ie][ir].on_delete = OnDelete::NoAction;
                }
                _ => {}
            }
        }
    }

    // 3. Infer the missing sides.
    let mut taken: Vec<HashSet<String>> = decls
        .iter()
        .map(|d| {
            let mut s: HashSet<String> = ["id", "created_at", "updated_at"]
                .into_iter()
                .map(String::from)
                .collect();
            for f in &d.fields {
                s.insert(f.key.clone());
            }
            for r in &d.relations {
                s.insert(r.key.clone());
                s.insert(format!("{}_id", r.key));
            }
            s
        })
        .collect();
    let mut inferred: Vec<Vec<Relation>> = vec![Vec::new(); decls.len()];
    for e in 0..decls.len() {
        // How many relations of `e` point at each target without a declared other side.
        let mut per_target: HashMap<usize, usize> = HashMap::default();
        for r in 0..decls[e].relations.len() {
            if !partner.contains_key(&(e, r))
                && decls[e].relations[r].mapped_by.is_none()
                && let Some(t) = target_of(decls, (e, r))
            {
                *per_target.entry(t).or_default() += 1;
            }
        }
        for r in 0..decls[e].relations.len() {
            if partner.contains_key(&(e, r)) || decls[e].relations[r].mapped_by.is_some() {
                continue;
            }
            let Some(t) = target_of(decls, (e, r)) else {
                continue;
            };
            let this = &decls[e].relations[r];
            if this.kind == RelationKind::ManyToMany && t == e {
                continue; // A self many-to-many has one side only.
            }
            let kind = this.kind.inverse();
            let base = if kind.is_to_one() {
                names::snake(&decls[e].name)
            } else {
                names::plural(&names::snake(&decls[e].name))
            };
            let ambiguous = per_target.get(&t).copied().unwrap_or(0) > 1 || t == e;
            let name = unique_name(&base, &names::snake(&this.name), ambiguous, &mut taken[t]);
            let owner = this.kind == RelationKind::OneToMany;
            if owner {
                // A one_to_many without a many_to_one behind it: specforge adds the foreign key.
                rels[e][r].owner = false;
            }
            inferred[t].push(Relation {
                name: name.clone(),
                kind,
                target: decls[e].name.clone(),
                required: false,
                on_delete: if owner {
                    OnDelete::SetNull
                } else {
                    OnDelete::NoAction
                },
                owner,
                inverse: Some(this.name.clone()),
                inferred: true,
                description: None,
            });
            rels[e][r].inverse = Some(name);
        }
    }
    for (&(e, r), &(t, o)) in &partner {
        rels[e][r].inverse = Some(decls[t].relations[o].name.clone());
        if rels[e][r].kind == RelationKind::OneToMany || decls[e].relations[r].mapped_by.is_some() {
            rels[e][r].owner = false;
        }
        if !rels[e][r].owner {
            rels[e][r].required = false;
            rels[e][r].on_delete = OnDelete::NoAction;
        }
    }

    decls
        .iter()
        .zip(rels)
        .zip(inferred)
        .map(|((d, mut relations), extra)| {
            relations.extend(extra);
            Entity {
                name: d.name.clone(),
                description: d.description.clone(),
                timestamps: d.timestamps,
                fields: entity_fields(d),
                relations,
                operations: Operation::ALL.to_vec(),
                list: Default::default(),
                permissions: Default::default(),
            }
        })
        .collect()
}

/// Whether side `a` comes before side `b` in the file (entity order, then relation order).
fn r_declared_first(a: Side, b: Side) -> bool {
    a < b
}

/// A name for an inferred relation that collides with nothing on its entity.
fn unique_name(base: &str, via: &str, ambiguous: bool, taken: &mut HashSet<String>) -> String {
    let limit = MAX_NAME_BYTES - 3;
    let fit = |s: String| -> String {
        if s.len() <= limit {
            return s;
        }
        let mut cut = limit;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s[..cut].trim_end_matches('_').to_string()
    };
    let mut candidate = if ambiguous {
        fit(format!("{base}_as_{via}"))
    } else {
        fit(base.to_string())
    };
    if taken.contains(&candidate) || taken.contains(&format!("{candidate}_id")) {
        candidate = fit(format!("{base}_as_{via}"));
    }
    let stem = candidate.clone();
    let mut n = 2;
    while taken.contains(&candidate) || taken.contains(&format!("{candidate}_id")) {
        candidate = fit(format!("{stem}_{n}"));
        n += 1;
    }
    taken.insert(candidate.clone());
    taken.insert(format!("{candidate}_id"));
    candidate
}

/// Reports required to-one relations that form a cycle: no row of any entity in the cycle could
/// be inserted first.
pub(crate) fn check_required_cycles(
    validator: &mut Validator<'_, '_>,
    decls: &[EntityDecl<'_>],
    entities: &[Entity],
) {
    let index: HashMap<&str, usize> = decls
        .iter()
        .enumerate()
        .map(|(i, d)| (d.name.as_str(), i))
        .collect();
    // Edges: (relation index, target entity) for required to-one sides that hold the foreign
    // key. Declared relations come first in each entity's resolved list, in the same order.
    let edges: Vec<Vec<(usize, usize)>> = decls
        .iter()
        .zip(entities)
        .map(|(d, entity)| {
            d.relations
                .iter()
                .zip(&entity.relations)
                .enumerate()
                .filter(|(_, (r, resolved))| {
                    resolved.required && resolved.owner && resolved.kind.is_to_one() && r.target_ok
                })
                .filter_map(|(i, (r, _))| index.get(r.target.as_str()).map(|&t| (i, t)))
                .collect()
        })
        .collect();
    for component in strongly_connected(&edges) {
        let members: HashSet<usize> = component.iter().copied().collect();
        let cyclic =
            component.len() > 1 || edges[component[0]].iter().any(|&(_, t)| t == component[0]);
        if !cyclic {
            continue;
        }
        let mut links: Vec<(usize, usize)> = Vec::new();
        for &e in &component {
            for &(r, t) in &edges[e] {
                if members.contains(&t) {
                    links.push((e, r));
                }
            }
        }
        links.sort_unstable();
        let Some(&(fe, fr)) = links.first() else {
            continue;
        };
        let chain: Vec<String> = links
            .iter()
            .map(|&(e, r)| {
                format!(
                    "`{}.{}` -> `{}`",
                    decls[e].name, decls[e].relations[r].name, decls[e].relations[r].target
                )
            })
            .collect();
        let first = &decls[fe].relations[fr];
        validator.error_hint(
            Code::RequiredCycle,
            first.key_span,
            &first.path,
            format!(
                "required relations form a cycle ({}); no row could be inserted first",
                chain.join(", ")
            ),
            Some("make one of these relations optional (`required: false`)".into()),
        );
    }
}

/// Tarjan's strongly connected components, iterative so deep graphs cannot overflow the stack.
fn strongly_connected(edges: &[Vec<(usize, usize)>]) -> Vec<Vec<usize>> {
    let n = edges.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut out = Vec::new();
    let mut next = 0;
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        let mut work: Vec<(usize, usize)> = vec![(root, 0)];
        while let Some(&mut (v, ref mut i)) = work.last_mut() {
            if *i == 0 && index[v] == usize::MAX {
                index[v] = next;
                low[v] = next;
                next += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if let Some(&(_, w)) = edges[v].get(*i) {
                *i += 1;
                if index[w] == usize::MAX {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut comp = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    comp.push(w);
                    if w == v {
                        break;
                    }
                }
                comp.sort_unstable();
                out.push(comp);
            }
        }
    }
    out
}

/// A to-one side that holds the foreign key stores it in `<name>_id`; that column must not be
/// the name of another member of the entity.
pub(crate) fn check_foreign_key_columns(
    validator: &mut Validator<'_, '_>,
    decls: &[EntityDecl<'_>],
    entities: &[Entity],
) {
    for (decl, entity) in decls.iter().zip(entities) {
        let members: HashMap<&str, (&str, Span, &str)> = decl
            .fields
            .iter()
            .map(|f| (f.key.as_str(), (f.field.name.as_str(), f.key_span, "field")))
            .chain(
                decl.relations
                    .iter()
                    .map(|r| (r.key.as_str(), (r.name.as_str(), r.key_span, "relation"))),
            )
            .collect();
        for (r, resolved) in decl.relations.iter().zip(&entity.relations) {
            if !(resolved.owner && resolved.kind.is_to_one()) {
                continue;
            }
            let column = format!("{}_id", r.key);
            if let Some((other, other_span, other_kind)) = members.get(column.as_str()) {
                let hint = format!(
                    "rename the {other_kind} `{other}` (at {}) or the relation",
                    validator.source.describe(*other_span)
                );
                validator.error_hint(
                    Code::NameCollision,
                    r.key_span,
                    &r.path,
                    format!("relation `{}` stores its foreign key in column `{column}`, which {other_kind} `{other}` also uses", r.name),
                    Some(hint),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_find_cycles_and_self_loops() {
        // 0 -> 1 -> 2 -> 0, 3 -> 3, 4 alone.
        let edges = vec![
            vec![(0, 1)],
            vec![(0, 2)],
            vec![(0, 0)],
            vec![(0, 3)],
            vec![],
        ];
        let mut comps = strongly_connected(&edges);
        comps.sort();
        assert_eq!(comps, vec![vec![0, 1, 2], vec![3], vec![4]]);
    }

    #[test]
    fn inferred_names_avoid_taken_ones() {
        let mut taken: HashSet<String> = ["books".to_string()].into_iter().collect();
        assert_eq!(
            unique_name("books", "author", false, &mut taken),
            "books_as_author"
        );
        assert_eq!(
            unique_name("books", "author", false, &mut taken),
            "books_as_author_2"
        );
        assert_eq!(unique_name("reviews", "book", false, &mut taken), "reviews");
    }
}
