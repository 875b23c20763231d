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

    static final String IS_DURATION = "self.matches('" + DURATION_REGEX + "')";

    static final String DURATION_MESSAGE = "must be a duration such as 250ms, 15s or 1m30s";

    private Validation() {
    }
}
