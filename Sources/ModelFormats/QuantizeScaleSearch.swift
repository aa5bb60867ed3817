/// The scale searches behind ggml's K-quants and importance-weighted quantisers (GGUF.md
/// §6.6–§6.8, §6.14; `make_qx_quants`, `make_q3_quants`, `make_qkx2_quants`/`make_qkx3_quants`,
/// `make_qp_quants` in ggml-quants.c). Each tries a few candidate scales for a small group and
/// keeps the one with the least (weighted) error. Bytes must equal ggml's, so every Float32
/// operation is written in C's order (`w*x*l` is `(w*x)*l`), comparisons are strict, and
/// levels live in the C integer types (a uint8_t level wraps, an int8_t one is signed).

/// ggml's `GROUP_MAX_EPS`: a group whose largest |x| is below this is all zero.
let groupMaxEpsilon: Float = 1e-15

/// ggml's `nearest_int`: add 1.5·2²³ and read the low mantissa bits (§4.3). Rounds half to even;
/// outside ±4194303, and for NaN or infinity, it gives the same garbage as the C code, so it is
/// written with the same bit trick rather than with `rounded()` (and never traps).
@inline(__always)
func nearestInt(_ value: Float) -> Int32 {
    let shifted = value + 12_582_912
    return Int32(bitPattern: shifted.bitPattern & 0x007F_FFFF) &- 0x0040_0000
}

@inline(__always)
func clamp(_ value: Int32, _ low: Int32, _ high: Int32) -> Int32 {
    Swift.max(low, Swift.min(high, value))
}

/// §6.6 with `rmse_type` 1: symmetric levels −nmax…nmax−1 stored as `L = l + nmax`; returns
/// the scale (negative when the extreme is positive). ggml's unweighted form uses w = x²;
/// callers pass those weights. Inlined so `n` and `nmax` are constants in the hot loops.
@inline(__always)
func makeQxQuants(_ n: Int, _ nmax: Int32, _ x: UnsafePointer<Float>, _ L: UnsafeMutablePointer<Int8>,
                  weights: UnsafePointer<Float>) -> Float {
    var max: Float = 0, amax: Float = 0
    for i in 0 ..< n where abs(x[i]) > amax {
        amax = abs(x[i])
        max = x[i]
    }
    if amax < groupMaxEpsilon {
        for i in 0 ..< n { L[i] = 0 }
        return 0
    }
    var iscale = Float(-nmax) / max
    var sumlx: Float = 0, suml2: Float = 0
    for i in 0 ..< n {
        let l = clamp(nearestInt(iscale * x[i]), -nmax, nmax - 1)
        L[i] = Int8(truncatingIfNeeded: l + nmax)
        let w = weights[i]
        sumlx += w * x[i] * Float(l)
        suml2 += w * Float(l) * Float(l)
    }
    var scale: Float = suml2 != 0 ? sumlx / suml2 : 0
    var best = scale * sumlx
    for step in -9 ... 9 where step != 0 {
        iscale = -(Float(nmax) + 0.1 * Float(step)) / max
        sumlx = 0
        suml2 = 0
        for i in 0 ..< n {
            let l = clamp(nearestInt(iscale * x[i]), -nmax, nmax - 1)
            let w = weights[i]
            sumlx += w * x[i] * Float(l)
            suml2 += w * Float(l) * Float(l)
        }
        if suml2 > 0 && sumlx * sumlx > best * suml2 {
            for i in 0 ..< n {
                L[i] = Int8(truncatingIfNeeded: nmax + clamp(nearestInt(iscale * x[i]), -nmax, nmax - 1))
            }
            scale = sumlx / suml2
            best = scale * sumlx
        }
    }
    return scale
}

/// §6.7: Q3_K's 16-element groups, levels −4…3 refined one element at a time (at most 5
/// passes), returned as `L = l + 4` (all zero for an empty group).
func makeQ3Quants(_ x: UnsafePointer<Float>, _ L: UnsafeMutablePointer<Int8>) -> Float {
    let n = 16, nmax: Int32 = 4
    var max: Float = 0, amax: Float = 0
    for i in 0 ..< n where abs(x[i]) > amax {
        amax = abs(x[i])
        max = x[i]
    }
    if amax < groupMaxEpsilon {
        for i in 0 ..< n { L[i] = 0 }
        return 0
    }
    let iscale = Float(-nmax) / max
    var sumlx: Float = 0, suml2: Float = 0
    for i in 0 ..< n {
        let l = clamp(nearestInt(iscale * x[i]), -nmax, nmax - 1)
        L[i] = Int8(truncatingIfNeeded: l)
        let w = x[i] * x[i]
        sumlx += w * x[i] * Float(l)
        suml2 += w * Float(l) * Float(l)
    }
    for _ in 0 ..< 5 {
        var changed = false
        for i in 0 ..< n {
            let w = x[i] * x[i]
            let current = Float(L[i])
            var slx = sumlx - w * x[i] * current
            guard slx > 0 else { continue }
            var sl2 = suml2 - w * current * current
            let candidate = clamp(nearestInt(x[i] * sl2 / slx), -nmax, nmax - 1)
            guard candidate != Int32(L[i]) else { continue }
            slx += w * x[i] * Float(candidate)
            sl2 += w * Float(candidate) * Float(candidate)
            if sl2 > 0 && slx * slx * suml2 > sumlx * sumlx * sl2 {
                L[i] = Int8(truncatingIfNeeded: candidate)
                sumlx = slx
                suml2 = sl2
                changed = true
            }
        }
        if !changed { break }
    }
    for i in 0 ..< n { L[i] &+= Int8(nmax) }
    return suml2 > 0 ? sumlx / suml2 : 0
}

/// §6.8: asymmetric levels 0…nmax with `x ≈ scale·L − min`, searching `nstep + 1` scales from
/// `(rmin + nmax)/(max − min)` in steps of `rdelta`, each refitted by weighted least squares.
/// Returns `(scale, min)` with `min ≥ 0` the amount subtracted. This is both
/// `make_qkx2_quants` and `make_qkx3_quants`: they differ only in `max == min` versus
/// `max <= min`, the same test for finite inputs (max ≥ min, and the clamped min is ≤ max).
/// `trial` holds n levels of scratch. Inlined so `n` and `nmax` are constants in the hot loops.
@inline(__always)
func makeQkxQuants(_ n: Int, _ nmax: Int32, _ x: UnsafePointer<Float>, _ weights: UnsafePointer<Float>,
                   _ L: UnsafeMutablePointer<UInt8>, trial: UnsafeMutablePointer<UInt8>,
                   rmin: Float, rdelta: Float, nstep: Int, useMAD: Bool) -> (scale: Float, min: Float) {
    var min = x[0], max = x[0]
    var sumW = weights[0]
    var sumX = sumW * x[0]
    for i in 1 ..< n {
        if x[i] < min { min = x[i] }
        if x[i] > max { max = x[i] }
        sumW += weights[i]
        sumX += weights[i] * x[i]
    }
    if min > 0 { min = 0 }
    if max == min {
        for i in 0 ..< n { L[i] = 0 }
        return (0, -min)
    }
    var iscale = Float(nmax) / (max - min)
    var scale = 1 / iscale
    var best: Float = 0
    for i in 0 ..< n {
        L[i] = UInt8(truncatingIfNeeded: clamp(nearestInt(iscale * (x[i] - min)), 0, nmax))
        let diff = scale * Float(L[i]) + min - x[i]
        best += weights[i] * (useMAD ? abs(diff) : diff * diff)
    }
    for step in 0 ... nstep {
        iscale = (rmin + rdelta * Float(step) + Float(nmax)) / (max - min)
        var sumL: Float = 0, sumL2: Float = 0, sumXL: Float = 0
        for i in 0 ..< n {
            let l = clamp(nearestInt(iscale * (x[i] - min)), 0, nmax)
            trial[i] = UInt8(truncatingIfNeeded: l)
            let w = weights[i], fl = Float(l)
            sumL += w * fl
            sumL2 += w * fl * fl
            sumXL += w * fl * x[i]
        }
        let D = sumW * sumL2 - sumL * sumL
        guard D > 0 else { continue }
        var thisScale = (sumW * sumXL - sumX * sumL) / D
        var thisMin = (sumL2 * sumX - sumL * sumXL) / D
        if thisMin > 0 {
            thisMin = 0
            thisScale = sumXL / sumL2
        }
        var error: Float = 0
        for i in 0 ..< n {
            let diff = thisScale * Float(trial[i]) + thisMin - x[i]
            error += weights[i] * (useMAD ? abs(diff) : diff * diff)
        }
        if error < best {
            for i in 0 ..< n { L[i] = trial[i] }
            best = error
            scale = thisScale
            min = thisMin
        }
    }
    return (scale, -min)
}

/// §6.14 `make_qp_quants`: quantise n non-negative values (the sub-block scales or mins of a
/// super-block) to 0…nmax with the given weights, trying 8 scales around nmax/max then
/// refining level by level; returns the super-block scale. Levels are uint8_t as in C, so a
/// negative level wraps to 256 + l.
func makeQpQuants(_ n: Int, _ nmax: Int32, _ x: UnsafePointer<Float>, _ L: UnsafeMutablePointer<UInt8>,
                  _ weights: UnsafePointer<Float>) -> Float {
    var max: Float = 0
    for i in 0 ..< n { max = max > x[i] ? max : x[i] }   // C's MAX(max, x)
    if max < groupMaxEpsilon {
        for i in 0 ..< n { L[i] = 0 }
        return 0
    }
    var iscale = Float(nmax) / max
    for i in 0 ..< n { L[i] = UInt8(truncatingIfNeeded: nearestInt(iscale * x[i])) }
    let scale = 1 / iscale
    var best: Float = 0
    for i in 0 ..< n {
        let diff = x[i] - scale * Float(L[i])
        best += weights[i] * diff * diff
    }
    for step in -4 ... 4 where step != 0 {
        let trialIscale = (0.1 * Float(step) + Float(nmax)) / max
        let trialScale = 1 / trialIscale
        var error: Float = 0
        for i in 0 ..< n {
            let l = Swift.min(nmax, nearestInt(trialIscale * x[i]))
            let diff = x[i] - trialScale * Float(l)
            error += weights[i] * diff * diff
        }
        if error < best {
            best = error
            iscale = trialIscale
        }
    }
    var sumlx: Float = 0, suml2: Float = 0
    for i in 0 ..< n {
        let l = Swift.min(nmax, nearestInt(iscale * x[i]))
        L[i] = UInt8(truncatingIfNeeded: l)
        let w = weights[i]
        sumlx += w * x[i] * Float(l)
        suml2 += w * Float(l) * Float(l)
    }
    for _ in 0 ..< 5 {
        var changed = false
        for i in 0 ..< n {
            let w = weights[i], current = Float(L[i])
            var slx = sumlx - w * x[i] * current
            var sl2 = suml2 - w * current * current
            guard slx > 0 && sl2 > 0 else { continue }
            let candidate = Swift.min(nmax, nearestInt(x[i] * sl2 / slx))
            guard candidate != Int32(L[i]) else { continue }
            slx += w * x[i] * Float(candidate)
            sl2 += w * Float(candidate) * Float(candidate)
            if slx * slx * suml2 > sumlx * sumlx * sl2 {
                L[i] = UInt8(truncatingIfNeeded: candidate)
                sumlx = slx
                suml2 = sl2
                changed = true
            }
        }
        if !changed { break }
    }
    return suml2 > 0 ? sumlx / suml2 : 0
}
