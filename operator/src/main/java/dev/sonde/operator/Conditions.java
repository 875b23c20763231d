package dev.sonde.operator;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** metav1.Condition bookkeeping: lastTransitionTime changes only when status flips. */
public final class Conditions {

    public static final String READY = "Ready";
    public static final String TRUE = "True";
    public static final String FALSE = "False";
    /**
     * Ready=False of any Sonde object whose reconcile threw: the operator's own failure, retried with backoff; the
     * message is the exception's.
     */
    public static final String RECONCILE_ERROR = "ReconcileError";

    private Conditions() {
    }

    /**
     * The conditions with {@code type} set to the given values; the previous lastTransitionTime is kept unless
     * the status changed. Other types are kept as they were.
     */
    public static List<Condition> with(List<Condition> previous, String type, boolean status, String reason,
            String message, Long generation, Instant now) {
        String statusText = status ? TRUE : FALSE;
        Optional<Condition> old = find(previous, type);
        String transition = old.filter(c -> statusText.equals(c.getStatus()))
                .map(Condition::getLastTransitionTime)
                .orElse(now.truncatedTo(ChronoUnit.SECONDS).toString());
        Condition condition = new ConditionBuilder()
                .withType(type)
                .withStatus(statusText)
                .withReason(reason)
                .withMessage(message)
                .withObservedGeneration(generation)
                .withLastTransitionTime(transition)
                .build();
        List<Condition> result = new ArrayList<>();
        if (previous != null) {
            previous.stream().filter(c -> !type.equals(c.getType())).forEach(result::add);
        }
        result.add(condition);
        return result;
    }

    /** The conditions without {@code type}; the others as they were. */
    public static List<Condition> without(List<Condition> conditions, String type) {
        return conditions == null ? List.of()
                : conditions.stream().filter(c -> !type.equals(c.getType())).toList();
    }

    public static Optional<Condition> find(List<Condition> conditions, String type) {
        return conditions == null ? Optional.empty()
                : conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
    }
}
