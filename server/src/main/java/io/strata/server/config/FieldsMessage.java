package io.strata.server.config;

import org.apache.logging.log4j.message.MapMessage;

/**
 * A log message with named fields. The event template writes the text as {@code msg} and each
 * field as a top-level key with its own JSON type (numbers stay numbers, lists become arrays),
 * as etcd's logs have them.
 */
final class FieldsMessage extends MapMessage<FieldsMessage, Object> {
    private static final long serialVersionUID = 1L;

    private final String text;

    FieldsMessage(String text, int fieldCount) {
        super(Math.max(fieldCount, 1));
        this.text = text;
    }

    @Override
    public String getFormattedMessage() {
        return text;
    }

    @Override
    public void formatTo(StringBuilder buffer) {
        buffer.append(text);
    }

    @Override
    public String getFormat() {
        return text;
    }

    @Override
    public FieldsMessage newInstance(java.util.Map<String, Object> map) {
        FieldsMessage copy = new FieldsMessage(text, map.size());
        map.forEach(copy::with);
        return copy;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FieldsMessage && super.equals(o) && text.equals(((FieldsMessage) o).text);
    }

    @Override
    public int hashCode() {
        return 31 * super.hashCode() + text.hashCode();
    }
}
