// Checks that block comments nest: the inner */ does not end the outer comment.
main:
  /* outer /* inner */ still comment print "no" */
  print "yes"

// expect: yes
