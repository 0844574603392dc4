package dev.imagefactory.schematic.goyaml;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * go-yaml's map key order ({@code keyList.Less}): numbers and bools by value, then by Go kind; strings in a
 * "natural" order where digit runs compare numerically and letters sort before other characters.
 */
final class GoKeyOrder {
    private GoKeyOrder() {
    }

    /** Go reflect.Kind numbers, which decide the order between keys of different types. */
    private static int kind(Object k) {
        if (k == null) {
            return 20; // a nil interface{}
        }
        if (k instanceof Boolean) {
            return 1;
        }
        if (k instanceof Long) {
            return 2;
        }
        if (k instanceof BigInteger) {
            return 11; // uint64
        }
        if (k instanceof Double || k instanceof GoMapKeys.NaNKey) {
            return 14;
        }
        if (k instanceof GoTime) {
            return 25; // struct
        }
        return 24; // string (also GoBytes)
    }

    private static Double keyFloat(Object k) {
        if (k instanceof Long l) {
            return (double) l;
        }
        if (k instanceof BigInteger b) {
            return b.doubleValue();
        }
        if (k instanceof Double d) {
            return d;
        }
        if (k instanceof GoMapKeys.NaNKey) {
            return Double.NaN;
        }
        if (k instanceof Boolean b) {
            return b ? 1.0 : 0.0;
        }
        return null;
    }

    /** A key with its code points, computed once per sort rather than once per comparison. */
    private record SortKey(Object key, int[] runes) {
        static SortKey of(Object key) {
            return new SortKey(key, kind(key) == 24 ? key.toString().codePoints().toArray() : null);
        }
    }

    static boolean less(Object a, Object b) {
        return less(SortKey.of(a), SortKey.of(b));
    }

    private static boolean less(SortKey sa, SortKey sb) {
        Object a = sa.key();
        Object b = sb.key();
        int ak = kind(a);
        int bk = kind(b);
        Double af = keyFloat(a);
        Double bf = keyFloat(b);
        if (af != null && bf != null) {
            if (af.doubleValue() != bf.doubleValue()) {
                return af < bf;
            }
            if (ak != bk) {
                return ak < bk;
            }
            return numLess(a, b);
        }
        if (ak != 24 || bk != 24) {
            return ak < bk;
        }
        int[] ar = sa.runes();
        int[] br = sb.runes();
        boolean digits = false;
        for (int i = 0; i < ar.length && i < br.length; i++) {
            if (ar[i] == br[i]) {
                digits = Character.isDigit(ar[i]);
                continue;
            }
            boolean al = Character.isLetter(ar[i]);
            boolean bl = Character.isLetter(br[i]);
            if (al && bl) {
                return ar[i] < br[i];
            }
            if (al || bl) {
                return digits ? al : bl;
            }
            long an = 0;
            long bn = 0;
            if (ar[i] == '0' || br[i] == '0') {
                for (int j = i - 1; j >= 0 && Character.isDigit(ar[j]); j--) {
                    if (ar[j] != '0') {
                        an = 1;
                        bn = 1;
                        break;
                    }
                }
            }
            int ai = i;
            for (; ai < ar.length && Character.isDigit(ar[ai]); ai++) {
                an = an * 10 + (ar[ai] - '0');
            }
            int bi = i;
            for (; bi < br.length && Character.isDigit(br[bi]); bi++) {
                bn = bn * 10 + (br[bi] - '0');
            }
            if (an != bn) {
                return an < bn;
            }
            if (ai != bi) {
                return ai < bi;
            }
            return ar[i] < br[i];
        }
        return ar.length < br.length;
    }

    private static boolean numLess(Object a, Object b) {
        if (a instanceof Long x && b instanceof Long y) {
            return x < y;
        }
        if (a instanceof Double x && b instanceof Double y) {
            return x < y;
        }
        if (a instanceof BigInteger x && b instanceof BigInteger y) {
            return x.compareTo(y) < 0;
        }
        if (a instanceof Boolean x && b instanceof Boolean y) {
            return !x && y;
        }
        return false;
    }

    /**
     * Sorts like Go's sort.Sort: insertion sort for up to 12 keys (what pdqsort does for short inputs, which
     * matters because the order is not a strict total order for every input); a stable merge sort beyond.
     */
    static List<Object> sort(List<Object> keys) {
        List<SortKey> l = new ArrayList<>(keys.size());
        for (Object k : keys) {
            l.add(SortKey.of(k));
        }
        if (l.size() <= 12) {
            for (int i = 1; i < l.size(); i++) {
                for (int j = i; j > 0 && less(l.get(j), l.get(j - 1)); j--) {
                    SortKey t = l.get(j);
                    l.set(j, l.get(j - 1));
                    l.set(j - 1, t);
                }
            }
        } else {
            l = mergeSort(l);
        }
        List<Object> sorted = new ArrayList<>(l.size());
        for (SortKey k : l) {
            sorted.add(k.key());
        }
        return sorted;
    }

    private static List<SortKey> mergeSort(List<SortKey> l) {
        if (l.size() <= 1) {
            return l;
        }
        int mid = l.size() / 2;
        List<SortKey> left = mergeSort(new ArrayList<>(l.subList(0, mid)));
        List<SortKey> right = mergeSort(new ArrayList<>(l.subList(mid, l.size())));
        List<SortKey> out = new ArrayList<>(l.size());
        int i = 0;
        int j = 0;
        while (i < left.size() && j < right.size()) {
            if (less(right.get(j), left.get(i))) {
                out.add(right.get(j++));
            } else {
                out.add(left.get(i++));
            }
        }
        while (i < left.size()) {
            out.add(left.get(i++));
        }
        while (j < right.size()) {
            out.add(right.get(j++));
        }
        return out;
    }
}
