/* Messages between processes: a value is encoded into a flat buffer in the
 * sender, the buffer moves to the receiver's mailbox, and the receiver
 * decodes it into its own heap. No pointer crosses heaps. */
#ifndef TOIT_VM_MESSAGE_H
#define TOIT_VM_MESSAGE_H

#include "vm/vm.h"

#define VM_MAIL_MAX_BYTES (16u * 1024)  /* one encoded message */
#define VM_MAIL_MAX_COUNT 64            /* messages waiting in one mailbox */
#define VM_MAIL_MAX_DEPTH 16            /* nesting of lists */

typedef struct vm_mail {
  struct vm_mail *next;
  char from[32];                        /* the sending container's name */
  size_t size;
  uint8_t data[];
} vm_mail;

/* Encodes v (null, bool, int, float, string, ByteArray, List and raw
 * arrays of those: the messaging module sends a Map as an array);
 * returns NULL with an exception pending in p if it can't. */
vm_mail *vm_mail_encode(vm_process *p, value v);
/* Appends a message to p's mailbox and wakes its receivers. */
bool vm_mail_deliver(vm_process *p, vm_mail *m);

value vm_prim_message_send(vm_process *p, value *args);
value vm_prim_message_count(vm_process *p, value *args);
value vm_prim_message_take(vm_process *p, value *args);
value vm_prim_message_wait(vm_process *p, value *args);
value vm_prim_message_self(vm_process *p, value *args);

#endif
