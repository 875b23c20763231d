package dev.sonde.agent.bpf;

/** A libbpf or bpf(2) failure; the message carries libbpf's strerror text. */
public class BpfException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int errno;

    public BpfException(String message, int errno) {
        super(message);
        this.errno = errno;
    }

    BpfException(String message, int errno, Throwable cause) {
        super(message, cause);
        this.errno = errno;
    }

    /** Positive errno (or libbpf error code), 0 when unknown. */
    public int errno() {
        return errno;
    }

    static BpfException of(String what, int err) {
        int code = Math.abs(err);
        return new BpfException(what + ": " + Libbpf.strerror(code) + " (errno " + code + ")", code);
    }
}
