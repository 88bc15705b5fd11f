r"""Bounds for three-layer networks with a quadratic output, by the output's normal form.

For ``n,q h1,q h2,q1`` (also affine ``a`` first or second layers; invariant
kind, triangular indexing) the network is ``F = theta(y(z(x)))``: ``z`` are
``h1`` polynomials of degree ``<= D1`` in ``x``, ``y`` are ``h2``
polynomials of degree ``<= D2`` in ``z`` (the triangular weights are exactly
their coefficients) and ``theta`` is a quadratic polynomial in ``h2``
variables. As in :mod:`.normal_form`, the affine maps ``g`` of ``k^{h2}``
act by ``(y, theta) -> (g o y, theta o g^-1)`` without changing ``F``, and
every ``theta`` is, up to them, exactly one of

* *central* of rank ``r``: ``y_1^2 + ... + y_r^2 + c`` (``0 <= r <= h2``),
* *parabolic* of rank ``r``: ``y_1^2 + ... + y_r^2 + y_{r+1}`` (``r < h2``).

So ``V`` is the disjoint union of strata ``V_T``, each a bundle over the set
``O_T`` of outputs of that type (``dim O_T = r h2 - r(r-1)/2 + r + 1``
central, ``r h2 - r(r-1)/2 + h2 + 1`` parabolic), with fibre

    ``Fib_T = {(z, y_1..y_u) : theta_T(y(z(x))) in Inv}``

times the free weights of the ``h2 - u`` second-layer units that
``theta_T`` does not use (``u = r`` central, ``r + 1`` parabolic). Hence

    ``dim V = max_T (dim O_T + (h2 - u) |y_k| + dim Fib_T)``,

and each fibre, in ``h1 |z_i| + u |y_k|`` unknowns instead of all the
weights, is bounded by random slices (:mod:`.slicing`, modular and
probabilistic). ``3,q3,q3,q1`` under ``S_3``: the strata of rank ``<= 2``
show in 34 s that nothing but the constant-output family reaches 61; the
central rank-3 fibre (60 unknowns, codimension 52) takes about 7 min with
msolve on 2 cores, so a 60 s analysis leaves that stratum's bound weaker.

The functions are ``F(V_T) = F(Fib_T) (+ k`` for the central ``c``), found by
image slices on the same systems (:func:`.normal_form.search_functions`,
whose ``O(r)`` cut also applies: ``theta`` is unchanged by ``O(r)`` acting on
``y_1..y_r``).

The central rank-1 stratum is split by characters: ``P = y_1(z(x))`` has
``P^2`` invariant exactly when ``P o g = eps_g P`` for every generator ``g``
and signs ``eps_g = +-1`` (``k[x]`` is a domain, so ``(P o g)^2 = P^2``
forces ``P o g = +-P``, and ``g -> eps_g`` is then a character). One
sub-stratum per sign pattern (a pattern that is no character forces
``P = 0``), each defined by *linear* conditions on ``P``'s coefficients,
cubic in the weights, where ``P^2`` needs sextics: ``3,q2,q2,q1`` minus
the constant output, codimension 18, nonempty in 0.3 s where the squared
system ran past 139 s (so ``dim >= 28``, one more than the families).

Its functions are ``P^2 + c``, and a non-constant ``F = P^2 + c`` has ``P``
determined up to sign (``(P - P')(P + P')`` constant forces ``P' = +-P`` or
both constant), so ``dim F = dim {P} + 1`` once ``P`` is not constant: the
image slices run on ``P``'s coefficients, cubics where ``P^2``'s are sextics
(``4,q1,q1,q1`` under ``S_4``: every rank-1 bound 6 in 0.1 s a slice, where
the slices on ``P^2 + c`` timed out at codimension 7 after 10 s).

The ``constant-output`` exclusion removes the central rank-0 stratum and
adds a Rabinowitsch variable ``t`` with ``t g = 1`` to every other one, ``g``
a random combination of the non-constant coefficients of ``theta_T(y(z))``
(of ``y_1(z)`` in the rank-1 sub-strata: ``y_1^2`` is constant exactly when
``y_1`` is; a dead first layer makes even the parabolic ``F`` constant,
unlike two layers).

Examples
--------
The families' bound 26 of ``2,q2,q2,q1`` is its dimension:

>>> db = deep_normal_form_bounds("2,q2,q2,q1", "symmetric", dim_lower=26, function_dim=False)
>>> db.dim_upper, len(db.strata)      # central rank 1 split by the 2 characters of S_2
(26, 6)
"""

from __future__ import annotations

import itertools
import random
import time

from ..actions import resolve_kind
from ..groups import get_group
from ..network import NetworkSpec, parse_spec
from ..timelimit import TimeLimit
from .engines import DEFAULT_PRIME, System
from .evaluation import x_monomials as _monomials
from .normal_form import (NormalFormBounds, Stratum, _invariance, _nonconstant_relation,
                          _orbits, _permute, _unsupported_exclusion, search_dims, search_functions)

_DEGREE = {"q": 2, "a": 1}
#: :func:`~.analyze.analyze` skips the deep normal form when the generic
#: stratum's fibre has more unknowns than this: ``3,q3,q3,q1`` (60) needs
#: minutes for that stratum and 28 s just to build the strata, which a 60 s
#: analysis then lacks for V's own slices and function bounds.
ANALYZE_MAX_UNKNOWNS = 50


def fibre_unknowns(spec: NetworkSpec | str) -> int:
    """Unknowns of the largest fibre (central rank ``h2``): ``h1 |z_i| + h2 |y_k|``."""
    spec = parse_spec(spec)
    l1, l2, _ = spec.layers
    return (l1.width * len(_monomials(spec.n_inputs, _DEGREE[l1.kind]))
            + l2.width * len(_monomials(l1.width, _DEGREE[l2.kind])))


def applies(spec: NetworkSpec | str, kind: str | None = None, exclude=()) -> str | None:
    """``None`` when the deep normal form covers ``spec``; else why not, in one line."""
    spec = parse_spec(spec)
    kind = resolve_kind(kind, spec)
    if len(spec.layers) != 3:
        return "the deep normal form needs exactly three layers"
    l1, l2, out = spec.layers
    for lay in (l1, l2):
        if lay.kind not in _DEGREE or lay.power != 1:
            return "the hidden layers must be quadratic (q) or affine (a) neurons without a power"
    if out.kind != "q" or out.power != 1 or out.width != 1:
        return "the output must be one quadratic neuron (q1)"
    if spec.full:
        return "the deep normal form needs triangular indexing (the weights are then coefficients)"
    if kind != "invariant":
        return "the deep normal form covers invariant networks only"
    return _unsupported_exclusion(exclude)


def _expand(spec: NetworkSpec, r: int, central: bool, p: int, deadline: float | None):
    """x-coefficients of ``theta_T(y(z(x)))`` as ``{x-monomial: {weight exponent: coeff}}``.

    Variables: the first layer's ``h1 * |z_i|`` coefficients, then the used
    second-layer units' ``|y_k|`` each.
    """
    import flint

    n = spec.n_inputs
    l1, l2, _ = spec.layers
    h1 = l1.width
    M1 = _monomials(n, _DEGREE[l1.kind])
    M2 = _monomials(h1, _DEGREE[l2.kind])
    u = r if central else r + 1
    nw = h1 * len(M1) + u * len(M2)
    names = [f"w{j}" for j in range(nw)] + [f"x{i}" for i in range(n)]
    ctx = flint.nmod_mpoly_ctx.get(tuple(names), modulus=p)
    gens = ctx.gens()
    w, x = gens[:nw], gens[nw:]
    one = ctx.from_dict({(0,) * len(names): 1})

    def mono(vars_, e):
        m = one
        for v, k in zip(vars_, e):
            if k:
                m = m * v ** k
        return m

    xm = [mono(x, e) for e in M1]
    z = [sum((w[i * len(M1) + a] * xm[a] for a in range(len(M1))), ctx.from_dict({}))
         for i in range(h1)]
    zm = [mono(z, e) for e in M2]
    off = h1 * len(M1)
    F = ctx.from_dict({})
    for k in range(u):
        if deadline is not None and time.perf_counter() > deadline:
            raise TimeLimit
        yk = sum((w[off + k * len(M2) + b] * zm[b] for b in range(len(M2))), ctx.from_dict({}))
        F = F + (yk * yk if k < r else yk)
    coef: dict = {}
    for e, c in F.to_dict().items():
        coef.setdefault(tuple(e[nw:]), {})[tuple(e[:nw])] = int(c)
    return coef, nw, off, len(M2)


def _sign_patterns(generators) -> list[tuple[int, ...]]:
    """Every assignment of ``+-1`` to the generators (the characters to ``{+-1}`` among them)."""
    return list(itertools.product((1, -1), repeat=len(generators)))


def _semi_invariance(coef, monos, generators, eps, p) -> list[dict]:
    """``coef[g mu] - eps_g coef[mu]`` for every generator ``g`` and monomial ``mu``: ``P o g = eps_g P``.

    ``monos`` are all the x-monomials ``P`` may have (an absent one has
    coefficient 0, which its images must match).
    """
    polys = []
    for g, s in zip(generators, eps):
        for mu in monos:
            d = dict(coef.get(_permute(mu, g), {}))
            for e, c in coef.get(mu, {}).items():
                d[e] = (d.get(e, 0) - s * c) % p
            d = {e: c for e, c in d.items() if c}
            if d:
                polys.append(d)
    return polys


def squared_rank_one_system(spec: NetworkSpec | str, group, *, exclude_constant: bool,
                            prime: int = DEFAULT_PRIME, seed: int = 0) -> tuple[System, int]:
    """The central rank-1 fibre unsplit, ``y_1(z(x))^2`` invariant (sextics), and its weight count.

    Only for comparison with the split of :func:`strata` (tests, ``scripts/bench_variety.py``);
    with ``exclude_constant``, the Rabinowitsch relation on ``y_1^2``'s coefficients.
    """
    spec = parse_spec(spec)
    p = prime
    coef, nw, _, _ = _expand(spec, 1, True, p, None)
    dmax = 2 * _DEGREE[spec.layers[0].kind] * _DEGREE[spec.layers[1].kind]
    orbits = _orbits(_monomials(spec.n_inputs, dmax), get_group(group, spec.n_inputs).generators)
    polys = _invariance({mu: coef.get(mu, {}) for o in orbits for mu in o}, orbits, p)
    names = [f"w{i}" for i in range(nw)]
    if exclude_constant:
        polys = [{e + (0,): v for e, v in f.items()} for f in polys]
        polys.append(_nonconstant_relation(coef, random.Random(seed), p, nw + 1))
        names.append("t")
    return System(tuple(names), polys, p), nw


def strata(spec: NetworkSpec | str, group="symmetric", *, exclude=(), prime: int = DEFAULT_PRIME,
           seed: int = 0, deadline: float | None = None,
           root_image: bool = True) -> list[Stratum]:
    """The output types of ``spec`` (module docstring), each with its fibre's system.

    ``root_image``: the split rank-1 strata's image slices on ``P = y1(z)``
    (:attr:`.normal_form.Stratum.image_root`); False only to compare with
    slices on ``P^2 + c``. Raises :class:`~varieties.timelimit.TimeLimit` past ``deadline``.
    """
    spec = parse_spec(spec)
    why = applies(spec, "invariant", exclude)
    if why:
        raise ValueError(why)
    n, p = spec.n_inputs, prime
    l1, l2, _ = spec.layers
    h = l2.width
    nz = len(_monomials(l1.width, _DEGREE[l2.kind]))
    dmax = _DEGREE[l1.kind] * _DEGREE[l2.kind] * 2
    gens = get_group(group, n).generators
    orbits = _orbits(_monomials(n, dmax), gens)
    excl = "constant-output" in exclude
    rng = random.Random(f"deep-normal-form:{seed}:{p}")
    out = []
    types = []
    for r in range(h + 1):
        types.append((r, True))
        if r < h:
            types.append((r, False))
    for r, central in types:
        mats = r * h - r * (r - 1) // 2
        u = r if central else r + 1
        if central:
            base = mats + r + 1 + (h - u) * nz
            name = f"central rank {r}: " + (" + ".join(f"y{i + 1}^2" for i in range(r))
                                            or "0") + " + c"
        else:
            base = mats + h + 1 + (h - u) * nz
            name = ("parabolic rank " + str(r) + ": "
                    + " + ".join([f"y{i + 1}^2" for i in range(r)] + [f"y{r + 1}"]))
        if central and r == 0:
            # F = c: the fibre is every first layer, and nothing else is used.
            st = Stratum(name, 0, True, base + l1.width * len(_monomials(n, _DEGREE[l1.kind])),
                         0, None, 0)
            st.excluded = excl
            out.append(st)
            continue
        coef, nw, off, size = _expand(spec, r, central, p, deadline)
        zero = (0,) * n
        image = list(coef.values())
        names = [f"z{j}" for j in range(off)] + [f"y{j}" for j in range(nw - off)]
        extra = 0
        if central:
            # c: the image's constant coefficient gains it; no equation has it.
            names.append("c")
            extra = 1
            cpoly = {e + (0,): v for e, v in coef.get(zero, {}).items()}
            cpoly[(0,) * nw + (1,)] = 1
            image = [{e + (0,): v for e, v in f.items()} for mu, f in coef.items()
                     if mu != zero] + [cpoly]
        if excl:
            image = [{e + (0,): v for e, v in f.items()} for f in image]
            names.append("t")
        if central and r == 1:
            # y1's own coefficients: the parabolic rank-0 expansion has the same unknowns.
            y1, _, _, _ = _expand(spec, 0, False, p, deadline)
            pieces = [(f"{name}, y1 o g_i = ({','.join('+' if e > 0 else '-' for e in eps)})_i y1",
                       _semi_invariance(y1, _monomials(n, dmax // 2), gens, eps, p), y1)
                      for eps in _sign_patterns(gens)]
        else:
            # An orbit's absent monomials have coefficient 0, which the others must match.
            full = {mu: coef.get(mu, {}) for orb in orbits for mu in orb}
            pieces = [(name, _invariance(full, orbits, p), coef)]
        for label, polys, witness in pieces:
            polys = [{e + (0,) * extra: v for e, v in f.items()} for f in polys]
            if excl:
                rel = _nonconstant_relation(witness, rng, p, nw + extra + 1, (0,) * extra)
                polys = [{e + (0,): v for e, v in f.items()} for f in polys] + [rel]
            if central and r == 1 and root_image:
                # The image is P = y1(z) itself, of half the degree (Stratum.image_root).
                pad = (0,) * (extra + (1 if excl else 0))
                st = Stratum(label, r, central, base, 1, System(tuple(names), polys, p), nw,
                             [{e + pad: v for e, v in f.items()} for f in witness.values()],
                             image_root=True)
            else:
                st = Stratum(label, r, central, base, 0, System(tuple(names), polys, p), nw,
                             image)
            st.unit_offset, st.unit_size = off, size
            st.fibre_has_zero = not excl
            # Substituting a slice into a high-degree Rabinowitsch relation can take
            # far longer than its term count says, and only a child can be stopped.
            st.in_child = True if excl else None
            out.append(st)
    return out


def prepare(spec: NetworkSpec | str, group, *, exclude=(), prime: int = DEFAULT_PRIME,
            seed: int = 0, deadline: float | None = None,
            root_image: bool = True) -> NormalFormBounds:
    """The strata of ``spec``, not yet searched (:func:`.normal_form.search_dims`)."""
    spec = parse_spec(spec)
    return NormalFormBounds(str(spec), str(get_group(group, spec.n_inputs)), list(exclude),
                            prime, seed, strata=strata(spec, group, exclude=exclude, prime=prime,
                                                       seed=seed, deadline=deadline,
                                                       root_image=root_image),
                            group_spec=group, method="deep normal form")


def deep_normal_form_bounds(spec, group="symmetric", kind: str | None = None, *,
                            dim_lower: int = 0, function_lower: int = 0, exclude=(),
                            engine: str = "auto", prime: int = DEFAULT_PRIME, seed: int = 0,
                            timeout: float = 30.0, function_dim: bool = True,
                            root_image: bool = True) -> NormalFormBounds:
    """Bounds on ``dim V`` and ``dim F(V)`` of a three-layer network with a quadratic output.

    Parameters are those of :func:`.normal_form.normal_form_bounds` (there is
    no factorisation here); ``root_image`` is :func:`strata`'s. ``complete`` is False when ``timeout`` ran out
    (unsearched strata keep their trivial bounds, so the result stays valid).

    Raises ``ValueError`` when :func:`applies` says no.
    """
    spec = parse_spec(spec)
    why = applies(spec, kind, exclude)
    if why:
        raise ValueError(why)
    stop = time.perf_counter() + timeout
    out = prepare(spec, group, exclude=exclude, prime=prime, seed=seed, deadline=stop,
                  root_image=root_image)
    search_dims(out, dim_lower, engine=engine, stop=stop)
    if function_dim:
        search_functions(out, function_lower, engine=engine, stop=stop, factorise=False)
    return out
