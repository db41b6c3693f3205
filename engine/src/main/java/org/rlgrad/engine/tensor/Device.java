package org.rlgrad.engine.tensor;

/** Where a tensor's storage lives, named the way users write it: {@code cpu}, {@code opencl:0}. */
public record Device(String type, int index) {
    public static final Device CPU = new Device("cpu", 0);

    @Override
    public String toString() {
        return type.equals("cpu") ? "cpu" : type + ":" + index;
    }
}
