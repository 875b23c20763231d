package dev.sonde.api.v1alpha1;

/** Pieces of CEL shared by several validation rules; compile-time constants so annotations can use them. */
final class Validation {

    /** A Kubernetes duration limited to the units people write here: 250ms, 15s, 1m30s, 2h. */
    static final String DURATION_REGEX = "^([0-9]+([.][0-9]+)?(ms|s|m|h))+$";

    /** A DNS-1123 subdomain, the form of most object names. */
    static final String DNS_SUBDOMAIN_REGEX = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?([.][a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

    /** A label value: at most 63 characters (checked by maxLength), alphanumeric at both ends. */
    static final String LABEL_VALUE_REGEX = "^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$";

    static final String LABEL_VALUE_MESSAGE = "label values must be empty or letters, digits, '-', '_' and '.', "
            + "starting and ending with a letter or digit";

    /**
     * A label key as Kubernetes' IsQualifiedName checks it: an optional DNS-1123 subdomain prefix and '/', then
     * a name of at most 63 characters, alphanumeric at both ends. The prefix's limit of 253 is checked apart.
     */
    static final String LABEL_KEY_REGEX = "^([a-z0-9]([-a-z0-9]*[a-z0-9])?([.][a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
            + "([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]$";

    static final String LABEL_KEY_MESSAGE = "label keys must be qualified names: an optional DNS subdomain prefix of "
            + "at most 253 characters and '/', then a name of at most 63 letters, digits, '-', '_' and '.', starting and "
            + "ending with a letter or digit, e.g. app or app.kubernetes.io/name";

    /** CEL that is true when {@code self} is a label key; its maxLength (317 = 253 + '/' + 63) bounds the match. */
    static final String IS_LABEL_KEY = "self.matches('" + LABEL_KEY_REGEX + "')"
            + " && (!self.contains('/') || self.indexOf('/') <= 253)";

    /**
     * The same for every key {@code k} of a map. A schema can't give map keys a maxLength, so the size check comes
     * first: a huge key is refused before it costs a regex match.
     */
    static final String ALL_KEYS_ARE_LABEL_KEYS = "self.all(k, size(k) <= 317 && k.matches('" + LABEL_KEY_REGEX + "')"
            + " && (!k.contains('/') || k.indexOf('/') <= 253))";

    static final String IS_DURATION = "self.matches('" + DURATION_REGEX + "')";

    static final String DURATION_MESSAGE = "must be a duration such as 250ms, 15s or 1m30s";

    private Validation() {
    }
}
